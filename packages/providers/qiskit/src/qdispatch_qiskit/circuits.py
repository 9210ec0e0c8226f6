"""Reshaping circuits for execution: dropping final measurements, measuring in a Pauli basis,
and following qubits through a transpiler's layout; refusing circuits that measure early."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from qiskit import ClassicalRegister, QuantumCircuit

from qdispatch_core.errors import BadRequest
from qdispatch_qiskit.analytics import instructions
from qdispatch_qiskit.parsing import parse_qasm

# Instructions whose outcome is random or that discard the state: after them a simulator's
# state is one sampled trajectory, not "the" state of the circuit.
NON_UNITARY = frozenset({"measure", "reset"})


def drop_final_measurements(circuit: QuantumCircuit) -> QuantumCircuit:
    """A copy without its final measurements (and final barriers, and the classical bits they
    leave unused). Mid-circuit measurements stay."""
    return circuit.remove_final_measurements(inplace=False)


def non_unitary_operations(circuit: QuantumCircuit) -> list[str]:
    """Names of the operations that make the final state random (measure, reset; inside
    control flow too), in order of first appearance. Classical conditions need a measurement
    to be anything but constant, so control flow alone is not listed."""
    found: dict[str, None] = {}
    for instruction in instructions(circuit):
        if instruction.operation.name in NON_UNITARY:
            found[instruction.operation.name] = None
    return list(found)


def check_final_measurements(sources: Iterable[str], why: str, *, field: str) -> None:
    """Refuse (400 on `field`) the first circuit (QASM source) with a measurement or reset
    before its final measurements; `why` ends the message: what this device needs instead."""
    for i, qasm in enumerate(sources):
        found = non_unitary_operations(drop_final_measurements(parse_qasm(qasm)))
        if found:
            raise BadRequest(
                f"circuit {i + 1} has {', '.join(found)} before its final measurements; {why}",
                field=field,
            )


@contextmanager
def for_circuit(index: int, field: str = "circuits") -> Iterator[None]:
    """A refusal raised while preparing circuit `index` (0-based) names it: "circuit 2: …"."""
    try:
        yield
    except BadRequest as exc:
        if exc.field is not None:
            raise
        raise BadRequest(f"circuit {index + 1}: {exc.message}", field=field) from None


def final_positions(circuit: QuantumCircuit, qubits: int) -> list[int]:
    """Where each of the original `qubits` sits at the end of a transpiled circuit.

    Transpiling may relabel qubits (layout) and drop trailing swaps by permuting the output
    (optimization levels 2 and 3); measurements follow automatically, saved states do not.
    """
    layout = getattr(circuit, "layout", None)
    if layout is None:
        return list(range(qubits))
    return list(layout.final_index_layout())[:qubits]


def _fresh_register_name(circuit: QuantumCircuit, stem: str) -> str:
    taken = {register.name for register in circuit.cregs}
    name, k = stem, 0
    while name in taken:
        k += 1
        name = f"{stem}{k}"
    return name


def measure_in_basis(
    circuit: QuantumCircuit, basis: str, positions: Sequence[int] | None = None
) -> QuantumCircuit:
    """A copy that rotates each qubit into `basis` and measures it into a fresh register.

    `basis` is a Pauli string in Qiskit order (character -1-q is qubit q): X appends H, Y
    appends Sdg then H, Z and I append nothing. Qubit q (at physical `positions[q]`, for a
    transpiled circuit) is measured into bit q of the new register, which comes after every
    existing classical bit (see `qdispatch_qiskit.bitstrings.select_bits`). `circuit` should
    have no final measurements (see `drop_final_measurements`).
    """
    width = len(basis)
    where = list(positions) if positions is not None else list(range(width))
    if len(where) != width:
        raise ValueError(f"basis {basis!r} has {width} qubits but {len(where)} positions given")
    out = circuit.copy()
    register = ClassicalRegister(width, _fresh_register_name(out, "meas"))
    out.add_register(register)
    for q in range(width):
        pauli, physical = basis[-1 - q], where[q]
        if pauli == "X":
            out.h(physical)
        elif pauli == "Y":
            out.sdg(physical)
            out.h(physical)
        elif pauli not in "ZI":
            raise ValueError(f"basis {basis!r}: {pauli!r} is not one of I, X, Y, Z")
        out.measure(physical, register[q])
    return out
