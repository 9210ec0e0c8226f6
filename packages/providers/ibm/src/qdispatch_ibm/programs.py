"""Circuits transpiled to a backend's ISA, once per circuit, variant and settings.

A circuit is transpiled once whatever the number of its parameter sets (they stay symbolic and
travel in the PUB) or measurement groups (basis rotations are appended to the transpiled circuit:
H, S† = RZ·SX·RZ are native everywhere). Programs are cached per target, so a worker that runs
the same circuits again on the same device does not transpile them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from qdispatch_core.ports.backend import JobSpec
from qdispatch_core.rules.circuits import content_hash
from qdispatch_ibm.settings import RunSettings

MEASURED = "measured"  # as written, with its measurements: plain counts
UNMEASURED = "unmeasured"  # final measurements dropped: measurement groups, exact values


@dataclass(frozen=True, slots=True)
class Program:
    circuit: Any  # the ISA circuit, the caller's own (see `Compiler.program`)
    positions: tuple[int, ...]  # physical qubit holding each source qubit at the end
    names: tuple[str, ...]  # the source's parameter names, in binding order
    qubits: int  # of the source circuit


def final_sources(circuit: Any) -> dict[int, int]:
    """{classical bit: qubit} for the bits whose last write is a measurement that nothing
    after it touches (neither its qubit nor its bit): the final readouts."""
    bit_of = {bit: i for i, bit in enumerate(circuit.clbits)}
    qubit_of = {bit: i for i, bit in enumerate(circuit.qubits)}
    sources: dict[int, int] = {}
    later_qubits: set[int] = set()
    later_bits: set[int] = set()
    for instruction in reversed(circuit.data):
        if instruction.operation.name == "barrier":
            continue
        qubits = [qubit_of[q] for q in instruction.qubits]
        bits = [bit_of[c] for c in instruction.clbits]
        measure = instruction.operation.name == "measure"
        if measure and bits[0] not in later_bits and qubits[0] not in later_qubits:
            sources[bits[0]] = qubits[0]
        later_qubits.update(qubits)
        later_bits.update(bits)
    return sources


def final_measurements(circuit: Any, register: str | None = None) -> list[int] | None:
    """The physical qubit read into each classical bit (of `register`, or of the circuit),
    index = bit, when every one of those bits is a final readout; None otherwise (mid-circuit
    measurements, unused bits), where correcting the final counts for readout would not be
    sound."""
    sources = final_sources(circuit)
    if register is None:
        bits = list(range(circuit.num_clbits))
    else:
        index = {bit: i for i, bit in enumerate(circuit.clbits)}
        (creg,) = [r for r in circuit.cregs if r.name == register]
        bits = [index[b] for b in creg]
    if not bits or any(b not in sources for b in bits):
        return None
    return [sources[b] for b in bits]


def active_qubits(circuit: Any) -> set[int]:
    """Qubits an operation (other than a barrier or delay) acts on."""
    index = {bit: i for i, bit in enumerate(circuit.qubits)}
    active: set[int] = set()
    for instruction in circuit.data:
        if instruction.operation.name not in ("barrier", "delay"):
            active.update(index[q] for q in instruction.qubits)
    return active


class Compiler:
    def __init__(self, cache_size: int = 256) -> None:
        from qdispatch_qiskit.cache import LruCache

        self._cache: LruCache[tuple[Any, Program]] = LruCache(maxsize=cache_size)

    @property
    def transpilations(self) -> int:
        """How many circuits were transpiled (cache misses), for tests and diagnostics."""
        return self._cache.misses

    def program(self, target: Any, qasm: str, variant: str, settings: RunSettings) -> Program:
        # The key holds the target itself, so its id() cannot be reused while the entry lives.
        key = (id(target), content_hash(qasm), variant, settings.transpile_key)
        # Each caller gets its own copy of the circuit, made under the cache's lock: request
        # threads and worker threads never share a Qiskit object.
        _, program = self._cache.get_or_create(
            key,
            lambda: (target, self._compile(target, qasm, variant, settings)),
            share=lambda entry: (entry[0], replace(entry[1], circuit=entry[1].circuit.copy())),
        )
        return program

    def for_spec(self, target: Any, spec: JobSpec) -> Callable[[int, str], Program]:
        """`program_for(circuit index, variant)`: the job's circuits on `target`, with a
        parse or transpile failure naming its circuit."""
        from qdispatch_qiskit import for_circuit

        settings = RunSettings.resolve(spec.options)

        def program_for(c: int, variant: str) -> Program:
            with for_circuit(c):
                return self.program(target, spec.circuits[c].qasm, variant, settings)

        return program_for

    @staticmethod
    def _compile(target: Any, qasm: str, variant: str, settings: RunSettings) -> Program:
        import qdispatch_qiskit as qk

        source = qk.parse_qasm(qasm)
        circuit = qk.drop_final_measurements(source) if variant == UNMEASURED else source
        isa = qk.transpile_for(
            circuit,
            target,
            optimization_level=settings.optimization_level,
            seed_transpiler=settings.seed_transpiler,
        )
        return Program(
            circuit=isa,
            positions=tuple(qk.final_positions(isa, source.num_qubits)),
            names=tuple(p.name for p in source.parameters),
            qubits=source.num_qubits,
        )
