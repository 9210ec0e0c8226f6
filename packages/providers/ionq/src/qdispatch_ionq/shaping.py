"""The Qiskit half of preparing a circuit for IonQ: measurements out, gates into IonQ's QIS
gateset, and a record of which qubit each output bit reads.

IonQ measures every qubit once, at the end, and returns probabilities over all qubits. So a
circuit's final measurements become a map (output bit → qubit), applied to IonQ's histogram
afterwards; a measurement or reset before the end cannot run there and is a 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from qdispatch_core.errors import BadRequest
from qdispatch_ionq.sdk import require

# Qiskit names of gates that map one-to-one onto IonQ's QIS gates (x y z h s si t ti v vi rx ry
# rz cnot swap xx zz) and that cirq's OpenQASM 2 importer reads as single gates.
QIS_BASIS = (
    "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg",
    "rx", "ry", "rz", "cx", "swap", "rxx", "rzz",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Shaped:
    body: Any  # QuantumCircuit over QIS_BASIS, no measurements, parameters still free
    sources: tuple[int | None, ...]  # output bit i reads this qubit of `body` (None: always 0)
    names: tuple[str, ...]  # the source's parameter names, in binding order


@cache
def qis_target() -> Any:
    """One Target for every transpilation, so the toolkit reuses its pass managers. It has no
    qubit count and no coupling map: IonQ's qubits are fully connected and nothing is routed."""
    transpiler = require("qiskit.transpiler")
    return transpiler.Target.from_configuration(basis_gates=list(QIS_BASIS))


def measured_by(circuit: Any) -> list[int | None]:
    """For each classical bit, the qubit its (last) measurement reads, or None."""
    sources: list[int | None] = [None] * circuit.num_clbits
    for instruction in circuit.data:
        if instruction.operation.name == "measure":
            clbit = circuit.find_bit(instruction.clbits[0]).index
            sources[clbit] = circuit.find_bit(instruction.qubits[0]).index
    return sources


def _check_body(body: Any, where: str) -> None:
    import qdispatch_qiskit as qk

    early = qk.non_unitary_operations(body)
    if early:
        raise BadRequest(
            f"{where} has {', '.join(early)} before its final measurements; IonQ measures every "
            "qubit once, at the end (move measurements to the end, drop resets)",
            field="circuits",
        )
    control = sorted({i.operation.name for i in body.data if getattr(i.operation, "blocks", ())})
    if control:
        raise BadRequest(
            f"{where} uses classical control flow ({', '.join(control)}), which IonQ cannot run",
            field="circuits",
        )


def shape(source: Any, basis: str | None, settings: Any, where: str) -> Shaped:
    """`source` ready for IonQ: measured as written (basis None) or every qubit measured in a
    measurement group's Pauli `basis`, then transpiled into QIS_BASIS."""
    import qdispatch_qiskit as qk

    if basis is None:
        circuit, first, width = source, 0, source.num_clbits
    else:
        base = qk.drop_final_measurements(source)
        circuit, first, width = qk.measure_in_basis(base, basis), base.num_clbits, len(basis)
    sources = measured_by(circuit)[first : first + width]
    body = qk.drop_final_measurements(circuit)
    _check_body(body, where)
    try:
        transpiled = qk.transpile_for(
            body,
            qis_target(),
            optimization_level=settings.optimization_level,
            seed_transpiler=settings.seed_transpiler,
        )
    except Exception as exc:  # an instruction with no decomposition into IonQ's gates
        raise BadRequest(f"{where} cannot be compiled for IonQ: {exc}", field="circuits") from None
    # Levels 2-3 may drop trailing swaps by relabelling qubits; measurements must follow.
    positions = qk.final_positions(transpiled, body.num_qubits)
    return Shaped(
        body=transpiled,
        sources=tuple(positions[q] if q is not None else None for q in sources),
        names=tuple(p.name for p in source.parameters),
    )


def bound_and_flat(shaped: Shaped, values: tuple[float, ...]) -> Any:
    """The body with one parameter set bound, on a single register `q` and without barriers:
    what OpenQASM 2 (and then cirq) reads with qubit i named `q_i`."""
    qiskit = require("qiskit")
    import qdispatch_qiskit as qk

    body = shaped.body
    if body.parameters:
        body = qk.bind_parameter_sets(body, shaped.names, [values])[0]
    flat = qiskit.QuantumCircuit(body.num_qubits, global_phase=body.global_phase)
    for instruction in body.data:
        if instruction.operation.name == "barrier":
            continue
        flat.append(instruction.operation, [body.find_bit(q).index for q in instruction.qubits])
    return flat
