"""Conditions on measured bits beyond the two forms Qiskit's importer reads (`bit == true`,
`register == n`), as Qiskit classical expressions: `c0 == 1`, `c != 0`, `c >= 2`,
`a && !b`. Whether a device runs them is the device's check at submission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openqasm3 import ast
from qiskit.circuit import ClassicalRegister, Clbit
from qiskit.circuit.classical import expr

_COMPARE = {
    "==": expr.equal,
    "!=": expr.not_equal,
    "<": expr.less,
    "<=": expr.less_equal,
    ">": expr.greater,
    ">=": expr.greater_equal,
}
_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


class ConditionError(Exception):
    def __init__(self, node: Any, text: str) -> None:
        super().__init__(text)
        span = getattr(node, "span", None)
        self.line = span.start_line if span is not None else None
        self.column = span.start_column if span is not None else None
        self.text = text


Resolve = Callable[[ast.Expression], tuple[Any, Any]]


def expression(node: ast.Expression, resolve: Resolve, context: Any) -> expr.Expr:
    """The condition `node` as a Qiskit expression; `resolve` reads a leaf (bits or a
    literal) as the importer does."""
    if isinstance(node, ast.BinaryExpression) and node.op.name in ("&&", "||"):
        combine = expr.logic_and if node.op.name == "&&" else expr.logic_or
        return combine(
            expression(node.lhs, resolve, context), expression(node.rhs, resolve, context)
        )
    if isinstance(node, ast.UnaryExpression) and node.op.name in ("!", "~"):
        return expr.logic_not(expression(node.expression, resolve, context))
    if isinstance(node, ast.BinaryExpression) and node.op.name in _COMPARE:
        return _comparison(node, resolve, context)
    if isinstance(node, ast.BooleanLiteral):
        return expr.lift(node.value)
    bits = _bits(node, resolve, context)
    if isinstance(bits, Clbit):
        return expr.lift(bits)
    raise ConditionError(node, "a condition on a whole register needs a comparison (c == 3)")


def _comparison(node: ast.BinaryExpression, resolve: Resolve, context: Any) -> expr.Expr:
    op = node.op.name
    lhs, rhs = node.lhs, node.rhs
    if _is_constant(lhs):
        lhs, rhs, op = rhs, lhs, _MIRRORED[op]
    if not _is_constant(rhs):
        raise ConditionError(node, "compare measured bits with a constant (c == 3, c0 == 1)")
    bits = _bits(lhs, resolve, context)
    value = _constant(rhs)
    if isinstance(bits, Clbit):
        if op not in ("==", "!="):
            raise ConditionError(node, f"a single bit compares with == or !=, not {op}")
        if value not in (0, 1):
            raise ConditionError(rhs, f"a bit is 0 or 1, not {value}")
        return _COMPARE[op](bits, bool(value))
    if value < 0 or value >= 1 << len(bits):
        raise ConditionError(rhs, f"{value} does not fit in {len(bits)} bits")
    return _COMPARE[op](bits, value)


def _bits(node: ast.Expression, resolve: Resolve, context: Any) -> Clbit | ClassicalRegister:
    value, _ = resolve(node)
    if isinstance(value, Clbit | ClassicalRegister):
        return value
    if isinstance(value, list) and value and all(isinstance(b, Clbit) for b in value):
        # bits of a register that are not a register themselves: an alias register, as the
        # importer makes for the same case
        register = ClassicalRegister(name=context.unique_name("cond"), bits=value)
        context.circuit.add_register(register)
        return register
    raise ConditionError(node, "expected measured bits in this condition")


def _is_constant(node: ast.Expression) -> bool:
    if isinstance(node, ast.UnaryExpression) and node.op.name == "-":
        return _is_constant(node.expression)
    return isinstance(node, ast.IntegerLiteral | ast.BooleanLiteral)


def _constant(node: ast.Expression) -> int:
    if isinstance(node, ast.UnaryExpression):
        return -_constant(node.expression)
    assert isinstance(node, ast.IntegerLiteral | ast.BooleanLiteral), "callers check _is_constant"
    return int(node.value)
