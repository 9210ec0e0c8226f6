"""Circuits into IonQ programs: the Qiskit half (shaping) then the cirq half (compiling), cached.

The Qiskit half of preparing a circuit for IonQ: measurements out, gates into IonQ's QIS
gateset, and a record of which qubit each output bit reads.

IonQ measures every qubit once, at the end, and returns probabilities over all qubits. So a
circuit's final measurements become a map (output bit → qubit), applied to IonQ's histogram
afterwards; a measurement or reset before the end cannot run there and is a 400.

The cirq half: a shaped Qiskit circuit becomes a cirq circuit on LineQubits, compiled to
IonQ's QIS gateset, ready for cirq_ionq.Service; with the gate counts IonQ bills.

The route is OpenQASM 2 (the toolkit's exporter, cirq's importer): cirq names qubit i of
register q `q_i`, which is mapped to LineQubit(i), so qubit numbers (and bit order) stay
Qiskit's. Results are keyed by what was shaped, never by cirq's measurement keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from qdispatch_core.errors import BadRequest
from qdispatch_core.ports.backend import JobSpec
from qdispatch_core.rules.circuits import content_hash
from qdispatch_core.rules.plan import Executable
from qdispatch_ionq.sdk import require
from qdispatch_ionq.settings import RunSettings

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


MEASUREMENT_KEY = "m"
_QUBIT_NAME = re.compile(r"^q_(\d+)$")


@dataclass(frozen=True, slots=True)
class Program:
    circuit: Any  # cirq.Circuit on LineQubits, QIS gates, one terminal measurement
    sources: tuple[int | None, ...]  # output bit i reads qubit sources[i] (None: always 0)
    gates_1q: int
    gates_2q: int
    depth: int  # moments of the compiled circuit, measurement excluded


def _line_qubit(qubit: Any) -> Any:
    cirq = require("cirq")
    match = _QUBIT_NAME.match(str(getattr(qubit, "name", "")))
    if match is None:  # cannot happen for a circuit flattened onto register q
        raise ValueError(f"unexpected qubit {qubit!r} from cirq's OpenQASM importer")
    return cirq.LineQubit(int(match[1]))


def to_cirq(flat: Any, sources: tuple[int | None, ...]) -> Program:
    cirq = require("cirq")
    cirq_ionq = require("cirq_ionq")
    qasm_import = require("cirq.contrib.qasm_import")
    import qdispatch_qiskit as qk

    imported = qasm_import.circuit_from_qasm(qk.to_qasm2(flat))
    on_lines = imported.transform_qubits(_line_qubit)
    compiled = cirq.optimize_for_target_gateset(on_lines, gateset=cirq_ionq.IonQTargetGateset())
    gates = [op for op in compiled.all_operations() if not cirq.is_measurement(op)]
    measured = sorted({q for q in sources if q is not None})
    if not gates:
        # cirq-ionq calls a circuit without gates 'native' and refuses to put it in one job
        # with QIS circuits (a readout calibration, measurement groups of an empty circuit);
        # a Z on a qubit still in |0> changes nothing and makes it QIS.
        gates = [cirq.Z(cirq.LineQubit(measured[0] if measured else 0))]
    circuit = cirq.Circuit(gates)
    depth = len(circuit)
    if measured:
        # IonQ measures every qubit anyway; naming the measured ones keeps the job's metadata
        # honest and makes the API's qubit count cover every qubit a result bit reads.
        circuit.append(cirq.measure(*(cirq.LineQubit(q) for q in measured), key=MEASUREMENT_KEY))
    return Program(
        circuit=circuit,
        sources=sources,
        gates_1q=sum(1 for op in gates if len(op.qubits) == 1),
        gates_2q=sum(1 for op in gates if len(op.qubits) >= 2),
        depth=depth,
    )


def _own_program(program: Program) -> Program:
    return replace(program, circuit=program.circuit.copy())


def basis_of(spec: JobSpec, e: Executable) -> str | None:
    """The Pauli basis the executable measures in, or None (measured as written)."""
    groups = spec.plan.circuits[e.circuit].groups
    return groups[e.group].basis if groups is not None and e.group is not None else None


class Compiler:
    """Shaped circuits per (circuit, basis, settings) and programs per parameter set, cached:
    validation, pricing, dry runs and the worker all ask for the same ones."""

    def __init__(self, cache_size: int = 1024) -> None:
        from qdispatch_qiskit import cache

        self._shaped: cache.LruCache[Shaped] = cache.LruCache(maxsize=256)
        self._programs: cache.LruCache[Program] = cache.LruCache(maxsize=cache_size)

    @property
    def compilations(self) -> int:
        """Programs compiled (cache misses), for tests and diagnostics."""
        return self._programs.misses

    def shaped(
        self, spec: JobSpec, circuit: int, basis: str | None, settings: RunSettings
    ) -> Shaped:
        qasm = spec.circuits[circuit].qasm
        key = (content_hash(qasm), basis, settings.transpile_key)
        where = f"circuit {circuit + 1}"

        def build() -> Shaped:
            import qdispatch_qiskit

            return shape(qdispatch_qiskit.parse_qasm(qasm), basis, settings, where)

        # Each caller gets its own copies (made under the cache's lock): no Qiskit or cirq
        # object is shared between request and worker threads.
        return self._shaped.get_or_create(
            key, build, share=lambda s: replace(s, body=s.body.copy())
        )

    def program(self, spec: JobSpec, e: Executable, settings: RunSettings) -> Program:
        basis = basis_of(spec, e)
        values = tuple(spec.plan.circuits[e.circuit].parameter_sets[e.parameter_set])
        qasm = spec.circuits[e.circuit].qasm
        key = (content_hash(qasm), basis, values, settings.transpile_key)

        def build() -> Program:
            shaped = self.shaped(spec, e.circuit, basis, settings)
            return to_cirq(bound_and_flat(shaped, values), shaped.sources)

        return self._programs.get_or_create(key, build, share=_own_program)

    def calibration(self, qubits: tuple[int, ...], ones: bool, settings: RunSettings) -> Program:
        """A readout calibration circuit (the toolkit's): `qubits` prepared in 0, or in 1 with
        `ones`, and measured, output bit i reading qubits[i]; compiled like any circuit."""
        key = ("readout calibration", qubits, ones, settings.transpile_key)

        def build() -> Program:
            from qdispatch_qiskit import readout

            circuit = readout.calibration_circuits(max(qubits) + 1, qubits)[int(ones)]
            shaped = shape(circuit, None, settings, "a readout calibration circuit")
            return to_cirq(bound_and_flat(shaped, ()), shaped.sources)

        return self._programs.get_or_create(key, build, share=_own_program)
