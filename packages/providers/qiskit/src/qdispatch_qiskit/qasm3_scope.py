"""What a name means while an OpenQASM 3 program is lowered: bindings and their scopes.

A name is bound to a compile-time value (`Static`), an expression of the circuit's input
parameters (`Symbolic`), a value only known while the circuit runs (`Dynamic`), qubits
(`Qubits`), classical bits of the circuit (`Bits`), or a subroutine. Qubits and bits are
*atoms*: `(register, index)` pairs naming one wire of the circuit Qiskit builds, so aliases,
slices and subroutine arguments all resolve to the wires they stand for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openqasm3 import ast

from qdispatch_qiskit.qasm3_values import Kind, StaticBits, Value, node_at

Atom = tuple[str, int | None]

# (register or single wire, index or None)


@dataclass(slots=True)
class Static:
    value: Value
    kind: Kind
    const: bool = False


@dataclass(slots=True)
class Symbolic:
    """A float or angle known only as an expression of `input` parameters."""

    expression: ast.Expression
    kind: Kind


@dataclass(slots=True)
class Dynamic:
    """A classical variable whose value depends on measurements: it may be written, but
    reading it where a compile-time value is needed is refused, saying why."""

    kind: Kind
    why: str


@dataclass(frozen=True, slots=True)
class Qubits:
    atoms: tuple[Atom, ...]
    single: bool = False  # declared `qubit q;` (not an array)


@dataclass(slots=True)
class Register:
    """A classical register of the circuit, with what is known of its bits at compile time:
    `known[i]` is 0 or 1 until a measurement writes bit i (then None). `assigned`: the program
    set some of its bits to values known before the run."""

    name: str
    size: int
    known: list[int | None]
    declared_at: ast.Span | None = None
    assigned: bool = False


@dataclass(frozen=True, slots=True)
class Bits:
    atoms: tuple[Atom, ...]
    single: bool = False


@dataclass(frozen=True, slots=True)
class Subroutine:
    node: ast.SubroutineDefinition


@dataclass(frozen=True, slots=True)
class Extern:
    node: ast.ExternDeclaration


Binding = Static | Symbolic | Dynamic | Qubits | Bits | Subroutine | Extern


@dataclass(slots=True)
class Scope:
    """Names declared in one block. `runtime` counts the run-time conditions (if/while on
    measured bits) around the block: writing a variable from a deeper level makes it Dynamic,
    since whether the write happens is only known while the circuit runs."""

    parent: Scope | None
    runtime: int = 0
    names: dict[str, Binding] = field(default_factory=dict)

    def lookup(self, name: str) -> tuple[Binding, Scope] | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name], scope
            scope = scope.parent
        return None

    def child(self, runtime: int | None = None) -> Scope:
        return Scope(self, self.runtime if runtime is None else runtime)


def bits_value(atoms: tuple[Atom, ...], registers: dict[str, Register]) -> StaticBits | None:
    """The bits' value when every one is known at compile time; else None."""
    value = 0
    for i, (name, index) in enumerate(atoms):
        bit = registers[name].known[index or 0]
        if bit is None:
            return None
        value |= bit << i
    return StaticBits(value, len(atoms))


def atom_expression(atom: Atom, span: Any) -> ast.Expression:
    name, index = atom
    identifier = node_at(ast.Identifier, span, name=name)
    if index is None:
        return identifier
    return node_at(
        ast.IndexExpression,
        span,
        collection=identifier,
        index=[node_at(ast.IntegerLiteral, span, value=index)],
    )


def atoms_expression(
    atoms: tuple[Atom, ...], single: bool, sizes: dict[str, int], span: Any
) -> ast.Expression:
    """The shortest expression naming exactly these wires, in this order."""
    if single and len(atoms) == 1:
        return atom_expression(atoms[0], span)
    names = {name for name, _ in atoms}
    if len(names) == 1:
        (name,) = names
        if [index for _, index in atoms] == list(range(sizes.get(name, -1))):
            return node_at(ast.Identifier, span, name=name)
        if all(index is not None for _, index in atoms):
            values = [node_at(ast.IntegerLiteral, span, value=i) for _, i in atoms]
            return node_at(
                ast.IndexExpression,
                span,
                collection=node_at(ast.Identifier, span, name=name),
                index=node_at(ast.DiscreteSet, span, values=values),
            )
    raise LookupError("these bits span several registers")
