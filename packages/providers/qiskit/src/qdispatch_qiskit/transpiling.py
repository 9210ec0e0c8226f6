"""Transpiling for a target with reusable pass managers.

`qiskit.transpile(circuit, backend)` rebuilds its pass manager on every call (tens of
milliseconds); a preset pass manager built once per (target, level, seed) runs a small circuit
in well under a millisecond.

Pass managers keep per-run state on themselves and share their Target and Qiskit's global
equivalence library, none of which is thread-safe: every pass manager runs under one lock, so
no two threads ever transpile at once (docs/security.md, H5). The transpiler holds the GIL for
most of its work anyway, so the lock costs little.
"""

from __future__ import annotations

import threading
from typing import Any

from qiskit import QuantumCircuit
from qiskit.circuit.equivalence_library import SessionEquivalenceLibrary
from qiskit.transpiler import PassManager, Target, generate_preset_pass_manager
from qiskit.transpiler.exceptions import TranspilerError
from qiskit.transpiler.passes import (
    BasisTranslator,
    Optimize1qGatesDecomposition,
    UnrollCustomDefinitions,
)

from qdispatch_core.errors import BadRequest
from qdispatch_qiskit import stage_plugins
from qdispatch_qiskit.cache import LruCache
from qdispatch_qiskit.native import refusing_panics

DEFAULT_OPTIMIZATION_LEVEL = 1

# Keys hold the target itself, so an id() is never reused while its entry lives.
_pass_managers: LruCache[tuple[Any, PassManager]] = LruCache(maxsize=64)
_TRANSPILING = threading.Lock()


def _pass_manager(
    target: Target, optimization_level: int, seed_transpiler: int | None
) -> tuple[PassManager, threading.Lock]:
    def build() -> tuple[Any, PassManager]:
        stage_plugins.install()  # import no other provider's plugins to build this one
        pm = generate_preset_pass_manager(
            optimization_level=optimization_level, target=target, seed_transpiler=seed_transpiler
        )
        return target, pm

    _, pm = _pass_managers.get_or_create((id(target), optimization_level, seed_transpiler), build)
    return pm, _TRANSPILING


def transpile_for(
    circuit: QuantumCircuit,
    target: Target | None = None,
    *,
    backend: Any = None,
    optimization_level: int = DEFAULT_OPTIMIZATION_LEVEL,
    seed_transpiler: int | None = None,
) -> QuantumCircuit:
    """`circuit` rewritten for `target` (or `backend.target`); the input is not changed.

    Pass the same Target object each time to reuse its pass manager.
    """
    if target is None:
        if backend is None:
            raise ValueError("transpile_for needs a target or a backend")
        target = backend.target
    if not 0 <= optimization_level <= 3:
        raise ValueError(f"optimization_level must be 0..3, got {optimization_level}")
    pm, lock = _pass_manager(target, optimization_level, seed_transpiler)
    with lock, refusing_panics("transpiling the circuit"):
        try:
            return pm.run(circuit)
        except TranspilerError as exc:
            # The transpiler's words say what the device lacks ("The control-flow construct
            # 'while_loop' is not supported by the backend"): a refusal, at submission.
            raise BadRequest(
                f"the circuit cannot be transpiled for the device: {exc.message}"
            ) from None


_translators: LruCache[tuple[Any, PassManager]] = LruCache(maxsize=64)


def translate_for(circuit: QuantumCircuit, target: Target) -> QuantumCircuit:
    """`circuit` with its gates rewritten into `target`'s native operations, qubits untouched.

    For a few gates appended to an already transpiled circuit (measurement-basis rotations: H
    is not native on most hardware): no layout, no routing, just translation and merging of
    single-qubit runs, so the circuit stays on the physical qubits it was placed on.
    """

    def build() -> tuple[Any, PassManager]:
        pm = PassManager(
            [
                UnrollCustomDefinitions(SessionEquivalenceLibrary, target=target),
                BasisTranslator(SessionEquivalenceLibrary, target_basis=None, target=target),
                Optimize1qGatesDecomposition(target=target),
            ]
        )
        return target, pm

    _, pm = _translators.get_or_create(id(target), build)
    with _TRANSPILING, refusing_panics("translating the circuit"):
        translated = pm.run(circuit)
    # A bare PassManager knows nothing of the earlier transpilation; keep its layout, which
    # still describes where every qubit sits (qiskit's own stages carry it the same way).
    translated._layout = circuit.layout
    return translated
