"""Exact expectation values of a fake backend's noisy state (StatevectorRun with observables).

A noisy device has no state vector: its state is a mixture. What it does have, exactly, is the
expectation value of an observable in that mixed state, which a density-matrix simulation with
the snapshot's noise model gives without sampling (the gate and relaxation errors are in it; the
readout errors are not, since nothing is measured). The PUBs are estimation.py's: one per
circuit, broadcasting its observables over its parameter sets.
"""

from __future__ import annotations

import os

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
