"""Circuits compiled for the simulator, once per circuit and settings, reused across jobs.

A circuit is transpiled once, whatever the number of its parameter sets or measurement groups:
parameters stay symbolic and are bound by Aer, and measurement groups append basis rotations to
the already transpiled circuit (H and Sdg are native to every Aer method).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from qdispatch_aer.session import Simulators
from qdispatch_aer.settings import RunSettings
from qdispatch_core.rules.circuits import content_hash

MEASURED = "measured"  # as written, with its measurements: counts
UNMEASURED = "unmeasured"  # final measurements dropped: measurement groups, exact outputs


@dataclass(frozen=True, slots=True)
class Program:
    circuit: Any  # transpiled QuantumCircuit, the caller's own (see `Compiler.program`)
    positions: tuple[int, ...]  # where each source qubit ends up in `circuit`
    names: tuple[str, ...]  # the source's parameter names, in binding order
    qubits: int  # of the source circuit


def _own_copy(program: Program) -> Program:
    return replace(program, circuit=program.circuit.copy())


class Compiler:
    def __init__(self, simulators: Simulators, cache_size: int = 256) -> None:
        self.simulators = simulators
        from qdispatch_qiskit.cache import LruCache

        self._cache: LruCache[Program] = LruCache(maxsize=cache_size)

    @property
    def transpilations(self) -> int:
        """How many circuits were transpiled (cache misses), for tests and diagnostics."""
        return self._cache.misses

    def program(self, qasm: str, variant: str, settings: RunSettings) -> Program:
        """The compiled program, its circuit a copy of the cached one made under the cache's
        lock: a request thread (dry runs), worker threads and Aer never share a circuit."""
        key = (content_hash(qasm), variant, settings.transpile_key)
        return self._cache.get_or_create(
            key, lambda: self._compile(qasm, variant, settings), share=_own_copy
        )

    def _compile(self, qasm: str, variant: str, settings: RunSettings) -> Program:
        import qdispatch_qiskit as qk

        source = qk.parse_qasm(qasm)
        circuit = qk.drop_final_measurements(source) if variant == UNMEASURED else source
        transpiled = qk.transpile_for(
            circuit,
            self.simulators.target(settings.method),
            optimization_level=settings.optimization_level,
            seed_transpiler=settings.seed_transpiler,
        )
        return Program(
            circuit=transpiled,
            positions=tuple(qk.final_positions(transpiled, source.num_qubits)),
            names=tuple(p.name for p in source.parameters),
            qubits=source.num_qubits,
        )
