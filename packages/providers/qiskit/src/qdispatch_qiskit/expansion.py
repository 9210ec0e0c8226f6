"""How many operations a circuit becomes once its gate definitions and loops are unrolled.

A few hundred bytes can name 2^41 operations: 41 gate definitions, each calling the previous
one twice. Parsing them is instant; the transpiler (and the simulator) unroll them and never
finish. This counts what unrolling would produce without doing it: each distinct gate's body
once, memoised, so the count costs about as much as reading the source. `for` loops multiply
their body by their iterations; a `while` loop's body counts once (its iterations are only
known while it runs, which the simulation's time budget bounds).

Library gates count as one operation, or n² when they act on n ≥ 3 qubits (a multi-controlled
X on n qubits synthesises into about that many gates).
"""

from __future__ import annotations

import copy
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit import ControlFlowOp, ForLoopOp
from qiskit.qasm2.parse import _DefinedGate

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.limits import CircuitLimits, over_limit

_PRIMITIVE = frozenset({"measure", "reset", "barrier", "delay", "store"})
_LIBRARY = "qiskit.circuit.library"


@dataclass(frozen=True, slots=True)
class Expansion:
    operations: int  # once every definition and for-loop is unrolled
    nesting: int  # deepest chain of gate definitions and control-flow bodies


def iterations(indexset: Any) -> int:
    """How many times a for loop runs, without building its index set (`len` overflows for
    ranges beyond 2^63)."""
    if isinstance(indexset, range):
        start, stop, step = indexset.start, indexset.stop, indexset.step
        span = stop - start if step > 0 else start - stop
        return max(0, -(-span // abs(step)))
    return len(indexset)


def _weight(operation: Any) -> int:
    n = operation.num_qubits
    return n * n if n >= 3 else 1


def _is_library(operation: Any) -> bool:
    if getattr(operation, "_standard_gate", None) is not None:
        return True
    return type(operation).__module__.startswith(_LIBRARY)


class _Counter:
    def __init__(self, nesting_limit: int | None) -> None:
        self.nesting_limit = nesting_limit
        self.memo: dict[Hashable, int] = {}
        self.deepest = 0

    def circuit(self, circuit: QuantumCircuit, depth: int) -> int:
        if depth > self.deepest:
            self.deepest = depth
            if self.nesting_limit is not None and depth > self.nesting_limit:
                raise BadRequest(
                    over_limit(
                        "gate definitions nested in each other",
                        depth,
                        self.nesting_limit,
                        "gate_nesting",
                    )
                )
        return sum(self.operation(i.operation, depth) for i in circuit.data)

    def operation(self, operation: Any, depth: int) -> int:
        if isinstance(operation, ControlFlowOp):
            inner = sum(self.circuit(block, depth + 1) for block in operation.blocks)
            if isinstance(operation, ForLoopOp):
                inner *= iterations(operation.params[0])
            return 1 + inner
        if operation.name in _PRIMITIVE or _is_library(operation):
            return _weight(operation)
        return self.defined(operation, depth)

    def defined(self, operation: Any, depth: int) -> int:
        key = memo_key(operation)
        if key is not None and key in self.memo:
            return self.memo[key]
        body = definition_body(operation)
        count = 1 if body is None else self.circuit(body, depth + 1)
        if key is not None:
            self.memo[key] = count
        return count


def memo_key(operation: Any) -> Hashable | None:
    """Gates of one definition share a key: OpenQASM 2 gates by name (a program defines each
    name once), OpenQASM 3 gates by their shared body. Gates built by modifiers have none."""
    body = getattr(operation, "deferred_body", None)
    if body is not None:
        return ("qasm3", id(body))
    if isinstance(operation, _DefinedGate):  # qiskit.qasm2's user-defined gates
        return ("qasm2", operation.name, operation.num_qubits, len(operation.params))
    return None


def definition_body(operation: Any) -> QuantumCircuit | None:
    """The circuit an operation unrolls into; an OpenQASM 3 gate's shared body is read as it
    is, without building (and binding) the instance's own copy."""
    body = getattr(operation, "deferred_body", None)
    if body is not None:
        return body
    if isinstance(operation, _DefinedGate):
        # Built on a copy: the circuit's own gate stays without a definition, cheap to copy.
        return copy.copy(operation).definition
    return operation.definition


def expansion(circuit: QuantumCircuit, nesting_limit: int | None = None) -> Expansion:
    counter = _Counter(nesting_limit)
    operations = counter.circuit(circuit, 0)
    return Expansion(operations, counter.deepest)


def gate_cost(operation: Any, counter_memo: dict[Hashable, int] | None = None) -> int:
    """Operations one gate unrolls into (the modifier budget of OpenQASM 3 reading)."""
    counter = _Counter(None)
    if counter_memo is not None:
        counter.memo = counter_memo
    return counter.operation(operation, 0)


def check_expansion(found: Expansion, limits: CircuitLimits) -> None:
    if found.operations > limits.operations:
        raise BadRequest(
            over_limit(
                "operations once gate definitions and loops are unrolled",
                found.operations,
                limits.operations,
                "operations",
            )
        )
    if found.nesting > limits.gate_nesting:
        raise BadRequest(
            over_limit(
                "gate definitions nested in each other",
                found.nesting,
                limits.gate_nesting,
                "gate_nesting",
            )
        )
