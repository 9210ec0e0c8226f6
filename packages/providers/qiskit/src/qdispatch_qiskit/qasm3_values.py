"""Compile-time values of OpenQASM 3: the classical part of a program that is known before it
runs (constants, loop indices, `int`/`uint`/`float`/`angle`/`bool`/`bit` arithmetic, casts and
the built-in functions), computed in Python.

Values are plain Python numbers (`int`, `float`, `bool`) and `StaticBits` for bit registers.
Integers are bounded (`MAX_INTEGER_BITS`) so that `2 ** 2 ** 30` is refused, not computed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from openqasm3 import ast

# Types are checked for what they are (sized integers wrap), not for every rule of the
# language: a program Qiskit's importer would refuse for a type error is still refused there.
MAX_INTEGER_BITS = 256
TWO_PI = 2 * math.pi

CONSTANTS = {
    "pi": math.pi,
    "π": math.pi,
    "tau": TWO_PI,
    "τ": TWO_PI,
    "euler": math.e,
    "ℇ": math.e,
}


class Uncomputable(Exception):
    """A compile-time computation that cannot be done; the caller locates it."""


@dataclass(frozen=True, slots=True)
class Kind:
    """A classical type: `name` is int, uint, float, angle, bool or bit; `size` its width."""

    name: str
    size: int | None = None

    def pretty(self) -> str:
        return self.name if self.size is None else f"{self.name}[{self.size}]"


@dataclass(frozen=True, slots=True)
class StaticBits:
    """A bit register's value known at compile time: bit i is `(value >> i) & 1`, so bit 0 is
    the least significant, and `"10"` (written most significant first) has bit 1 set."""

    value: int
    width: int

    def bit(self, index: int) -> int:
        return (self.value >> index) & 1


Value = int | float | bool | StaticBits

N = TypeVar("N")


def node_at(cls: Callable[..., N], span: ast.Span | None, **fields: Any) -> N:
    """An AST node placed at `span` (spans are not constructor arguments), so an error the
    importer finds in a lowered statement points at the source that produced it."""
    node = cls(**fields)
    node.span = span  # type: ignore[attr-defined]
    return node


_TYPE_NAMES = {
    ast.IntType: "int",
    ast.UintType: "uint",
    ast.FloatType: "float",
    ast.AngleType: "angle",
    ast.BoolType: "bool",
    ast.BitType: "bit",
}


def kind_name(node: Any) -> str | None:
    """int, uint, float, angle, bool or bit for those AST types; None for any other."""
    return _TYPE_NAMES.get(type(node))


def numeric(value: Value) -> int | float:
    if isinstance(value, StaticBits):
        return value.value
    if isinstance(value, bool):
        return int(value)
    return value


def checked_int(value: int) -> int:
    if value.bit_length() > MAX_INTEGER_BITS:
        raise Uncomputable(f"an integer here needs more than {MAX_INTEGER_BITS} bits")
    return value


def checked_float(value: float) -> float:
    if not math.isfinite(value):
        raise Uncomputable(f"the value is {value}, not a finite number")
    return value


def truthy(value: Value) -> bool:
    return bool(numeric(value))


def coerce(value: Value, kind: Kind) -> Value:
    """`value` as a variable of `kind` holds it: sized integers wrap, angles are taken modulo
    2π, bits keep `size` bits."""
    name, size = kind.name, kind.size
    if name == "bool":
        return truthy(value)
    if name == "bit":
        width = size or 1
        return StaticBits(int(numeric(value)) & ((1 << width) - 1), width)
    if name == "float":
        return checked_float(float(numeric(value)))
    if name == "angle":
        return checked_float(float(numeric(value))) % TWO_PI
    number = numeric(value)
    whole = checked_int(int(number)) if isinstance(number, float) else checked_int(number)
    if name == "uint":
        if size is not None:
            return whole % (1 << size)
        return whole
    if size is not None:  # int[n]: two's complement
        whole %= 1 << size
        return whole - (1 << size) if whole >= 1 << (size - 1) else whole
    return whole


def _int_div(a: int, b: int) -> int:
    if b == 0:
        raise Uncomputable("division by zero")
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b >= 0) else -quotient


def _remainder(a: int | float, b: int | float) -> int | float:
    if b == 0:
        raise Uncomputable("division by zero")
    if isinstance(a, int) and isinstance(b, int):
        return a - b * _int_div(a, b)
    return math.fmod(a, b)


def _power(a: int | float, b: int | float) -> int | float:
    if isinstance(a, int) and isinstance(b, int) and b >= 0:
        if a not in (0, 1, -1) and b * a.bit_length() > MAX_INTEGER_BITS:
            raise Uncomputable(f"an integer here needs more than {MAX_INTEGER_BITS} bits")
        return a**b
    try:
        result = float(a) ** float(b)
    except (OverflowError, ZeroDivisionError) as exc:
        raise Uncomputable(str(exc)) from None
    if isinstance(result, complex):
        raise Uncomputable("the power is a complex number")
    return result


def _shift(a: Value, b: Value, left: bool) -> Value:
    amount = int(numeric(b))
    if amount < 0 or amount > MAX_INTEGER_BITS:
        raise Uncomputable(f"a shift by {amount} bits")
    if isinstance(a, StaticBits):
        mask = (1 << a.width) - 1
        moved = a.value << amount if left else a.value >> amount
        return StaticBits(moved & mask, a.width)
    number = numeric(a)
    if not isinstance(number, int):
        raise Uncomputable("only integers and bits can be shifted")
    return checked_int(number << amount if left else number >> amount)


def _bitwise(op: str, a: Value, b: Value) -> Value:
    x, y = numeric(a), numeric(b)
    if not isinstance(x, int) or not isinstance(y, int):
        raise Uncomputable(f"'{op}' needs integers or bits")
    result = {"&": x & y, "|": x | y, "^": x ^ y}[op]
    if isinstance(a, StaticBits):
        return StaticBits(result & ((1 << a.width) - 1), a.width)
    return result


def _arithmetic(op: str, a: int | float, b: int | float) -> int | float:
    if op == "+":
        result = a + b
    elif op == "-":
        result = a - b
    elif op == "*":
        result = a * b
    elif op == "/":
        if isinstance(a, int) and isinstance(b, int):
            return _int_div(a, b)
        if b == 0:
            raise Uncomputable("division by zero")
        result = a / b
    elif op == "%":
        return _remainder(a, b)
    else:
        result = _power(a, b)
    return checked_int(result) if isinstance(result, int) else checked_float(result)


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def binary(op: str, a: Value, b: Value) -> Value:
    """`a op b` for an OpenQASM binary operator's name."""
    if op in _COMPARISONS:
        return _COMPARISONS[op](numeric(a), numeric(b))
    if op == "&&":
        return truthy(a) and truthy(b)
    if op == "||":
        return truthy(a) or truthy(b)
    if op in ("&", "|", "^"):
        return _bitwise(op, a, b)
    if op in ("<<", ">>"):
        return _shift(a, b, op == "<<")
    return _arithmetic(op, numeric(a), numeric(b))


def unary(op: str, a: Value) -> Value:
    if op == "!":
        return not truthy(a)
    if op == "-":
        number = numeric(a)
        return -number
    # "~": bitwise not, within the register's width for bits
    if isinstance(a, StaticBits):
        return StaticBits(~a.value & ((1 << a.width) - 1), a.width)
    if isinstance(a, bool):
        return not a
    number = numeric(a)
    if not isinstance(number, int):
        raise Uncomputable("'~' needs an integer or bits")
    return ~number


def _popcount(a: Value) -> int:
    return bin(int(numeric(a)) & ((1 << MAX_INTEGER_BITS) - 1)).count("1")


def _rotate(a: Value, k: Value, left: bool) -> Value:
    if not isinstance(a, StaticBits):
        raise Uncomputable("rotl and rotr take a bit register")
    width = a.width
    shift = int(numeric(k)) % width if width else 0
    if not left:
        shift = (width - shift) % width
    mask = (1 << width) - 1
    return StaticBits(((a.value << shift) | (a.value >> (width - shift))) & mask, width)


def _real(name: str, function: Callable[[float], float]) -> Callable[..., float]:
    def call(x: Value) -> float:
        try:
            return checked_float(function(float(numeric(x))))
        except (ValueError, OverflowError):
            raise Uncomputable(f"{name}({numeric(x)}) is not a real number") from None

    return call


def _rounding(function: Callable[[float], int]) -> Callable[[Value], int]:
    return lambda x: checked_int(function(float(numeric(x))))


FUNCTIONS: dict[str, tuple[int, Callable[..., Value]]] = {
    "sin": (1, _real("sin", math.sin)),
    "cos": (1, _real("cos", math.cos)),
    "tan": (1, _real("tan", math.tan)),
    "arcsin": (1, _real("arcsin", math.asin)),
    "arccos": (1, _real("arccos", math.acos)),
    "arctan": (1, _real("arctan", math.atan)),
    "exp": (1, _real("exp", math.exp)),
    "log": (1, _real("log", math.log)),
    "sqrt": (1, _real("sqrt", math.sqrt)),
    "floor": (1, _rounding(math.floor)),
    "ceiling": (1, _rounding(math.ceil)),
    "mod": (2, lambda a, b: _remainder(numeric(a), numeric(b))),
    "pow": (2, lambda a, b: _power(numeric(a), numeric(b))),
    "popcount": (1, _popcount),
    "rotl": (2, lambda a, k: _rotate(a, k, True)),
    "rotr": (2, lambda a, k: _rotate(a, k, False)),
}


def literal(value: Value, span: ast.Span | None) -> ast.Expression:
    """An AST literal for a compile-time value (negative numbers as `-literal`)."""
    if isinstance(value, bool):
        return node_at(ast.BooleanLiteral, span, value=value)
    if isinstance(value, StaticBits):
        return node_at(ast.BitstringLiteral, span, value=value.value, width=value.width)
    if isinstance(value, int):
        positive: ast.Expression = node_at(ast.IntegerLiteral, span, value=abs(value))
    else:
        positive = node_at(ast.FloatLiteral, span, value=abs(checked_float(value)))
    if value < 0:
        return node_at(ast.UnaryExpression, span, op=ast.UnaryOperator["-"], expression=positive)
    return positive
