"""Circuit facts of run contract §1, computed from a Qiskit circuit.

Counting rules (docs/providers.md): a *gate* is a unitary operation on at least one qubit
(standard, custom or matrix gates); measure, reset, barrier, delay, initialize and other
non-unitary instructions are not gates. `gates_1q` counts gates on one qubit, `gates_2q` gates on
two or more (as Qiskit's `num_nonlocal_gates`: a Toffoli is one), `gates_total` their sum.
`operations` counts every instruction by name, barriers and measurements included. Bodies of
control flow (if/else, loops) are counted once each, as written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from qiskit import QuantumCircuit
from qiskit.circuit import CircuitInstruction, Gate

from qdispatch_core.domain import CircuitAnalytics


def instructions(circuit: QuantumCircuit) -> Iterator[CircuitInstruction]:
    """Every instruction, descending into control-flow bodies."""
    for instruction in circuit.data:
        yield instruction
        for block in getattr(instruction.operation, "blocks", ()):
            yield from instructions(block)


def _is_gate(instruction: CircuitInstruction) -> bool:
    return isinstance(instruction.operation, Gate) and instruction.operation.num_qubits >= 1


def _is_multi_qubit_gate(instruction: CircuitInstruction) -> bool:
    return _is_gate(instruction) and instruction.operation.num_qubits >= 2


def has_measurements(circuit: QuantumCircuit) -> bool:
    return any(i.operation.name == "measure" for i in instructions(circuit))


def circuit_analytics(circuit: QuantumCircuit) -> CircuitAnalytics:
    operations: Counter[str] = Counter()
    one = many = 0
    for instruction in instructions(circuit):
        operations[instruction.operation.name] += 1
        if _is_gate(instruction):
            if instruction.operation.num_qubits == 1:
                one += 1
            else:
                many += 1
    return CircuitAnalytics(
        qubits=circuit.num_qubits,
        clbits=circuit.num_clbits,
        num_parameters=circuit.num_parameters,
        # Qiskit binds positional values in this order (sorted by name: theta10 < theta2).
        parameter_names=tuple(p.name for p in circuit.parameters),
        depth=circuit.depth(),
        depth_2q=circuit.depth(filter_function=_is_multi_qubit_gate),
        gates_1q=one,
        gates_2q=many,
        gates_total=one + many,
        operations=dict(operations),
        has_measurements=operations["measure"] > 0,
    )
