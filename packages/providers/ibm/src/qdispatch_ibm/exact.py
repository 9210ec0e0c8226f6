"""Exact expectation values of a fake backend's noisy state (StatevectorRun with observables).

A noisy device has no state vector: its state is a mixture. What it does have, exactly, is the
expectation value of an observable in that mixed state, which a density-matrix simulation with
the snapshot's noise model gives without sampling (the gate and relaxation errors are in it; the
readout errors are not, since nothing is measured). One PUB per circuit broadcasts its
observables over its parameter sets.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from qdispatch_core.ports.backend import JobSpec
from qdispatch_ibm.programs import Program
from qdispatch_ibm.pubs import make_pub
from qdispatch_ibm.sdk import require

MEMORY_ENV = "QDISPATCH_SIMULATION_MEMORY_BYTES"
DEFAULT_MEMORY_BYTES = 8 * 1024**3
HEADROOM = 2.0  # as the core's Limits: working memory beyond the state itself


def memory_limit(environ: dict[str, str] | None = None) -> int:
    raw = (environ if environ is not None else os.environ).get(MEMORY_ENV, "").strip()
    if not raw:
        return DEFAULT_MEMORY_BYTES
    value = int(raw)
    if value <= 0:
        raise ValueError(f"{MEMORY_ENV} must be positive, got {value}")
    return value


def density_matrix_bytes(qubits: int) -> int:
    return 16 * 4**qubits


def max_density_matrix_qubits(limit: int) -> int:
    n = 0
    while density_matrix_bytes(n + 1) * HEADROOM <= limit:
        n += 1
    return n


def estimator_pub(program: Program, observables: Sequence[Sequence[Any]], sets: Sequence) -> tuple:
    qk = require("qdispatch_qiskit")
    layout = program.circuit.layout
    operators = [qk.sparse_pauli_op(o) for o in observables]
    if layout is not None:
        operators = [op.apply_layout(layout) for op in operators]
    pub = make_pub(program, program.circuit, sets)
    column = [[op] for op in operators]  # (observables, 1) against (sets,): evs[o, set]
    return (pub[0], column, *pub[1:])


def estimator_pubs(spec: JobSpec, programs: Sequence[Program]) -> list[tuple]:
    return [
        estimator_pub(programs[c], cp.observables or (), cp.parameter_sets)
        for c, cp in enumerate(spec.plan.circuits)
    ]


def decode_expectations(result: Any, spec: JobSpec) -> list[list[float]]:
    """One list of expectation values (one per observable) per executable, in plan order."""
    np = require("numpy")
    outputs: list[list[float]] = []
    for c, cp in enumerate(spec.plan.circuits):
        count = len(cp.observables or ())
        sets = len(cp.parameter_sets)
        evs = np.asarray(result[c].data.evs, dtype=float).reshape(count, sets)
        outputs.extend(evs[:, p].tolist() for p in range(sets))
    return outputs
