"""The cirq half: a shaped Qiskit circuit becomes a cirq circuit on LineQubits, compiled to
IonQ's QIS gateset, ready for cirq_ionq.Service; with the gate counts IonQ bills.

The route is OpenQASM 2 (the toolkit's exporter, cirq's importer): cirq names qubit i of
register q `q_i`, which is mapped to LineQubit(i), so qubit numbers (and bit order) stay
Qiskit's. Results are keyed by what was shaped, never by cirq's measurement keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from qdispatch_core.ports.backend import JobSpec
from qdispatch_core.rules.circuits import content_hash
from qdispatch_core.rules.plan import Executable
from qdispatch_ionq.sdk import require
from qdispatch_ionq.settings import RunSettings
from qdispatch_ionq.shaping import Shaped, bound_and_flat, shape

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
