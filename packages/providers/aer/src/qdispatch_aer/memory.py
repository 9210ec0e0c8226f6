"""How much memory a simulation needs, and how many qubits a memory budget allows.

Aer sizes its dense methods by memory: a state vector of n qubits is 16·2^n bytes (complex
doubles), a density matrix 16·4^n. The same rule, applied to the memory this worker may use
rather than to the host's, gives the `aer_simulator` device its qubit count.
"""

from __future__ import annotations

import math
import os

from qdispatch_core.rules.circuits import statevector_bytes

MEMORY_ENV = "QDISPATCH_SIMULATION_MEMORY_BYTES"
DEFAULT_MEMORY_BYTES = 8 * 1024**3
# As qdispatch_core.usecases.Limits: simulators need working memory beyond the state itself.
HEADROOM = 2.0

DENSE_STATE_METHODS = frozenset({"automatic", "statevector"})


def memory_limit_from_env(environ: dict[str, str] | None = None) -> int:
    raw = (environ if environ is not None else os.environ).get(MEMORY_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_MEMORY_BYTES
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{MEMORY_ENV} must be a number of bytes, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{MEMORY_ENV} must be positive, got {value}")
    return value


def qubits_for_memory(memory_bytes: int) -> int:
    """Aer's rule (qiskit_aer MAX_QUBITS_STATEVECTOR): the widest state vector that fits."""
    return max(1, int(math.log2(memory_bytes / 16)))


def memory_needed(method: str, output_kind: str, qubits: int) -> int | None:
    """Bytes of simulator state a run needs, or None where it does not grow as 2^n.

    A statevector output is dense whatever the method. Sampling on `automatic` may run as a
    stabilizer simulation, and matrix product states grow with entanglement, not width; those
    are bounded by the device's qubit count instead.
    """
    if output_kind == "statevector":
        return statevector_bytes(qubits)
    if method == "density_matrix":
        return 16 * 4**qubits
    if method == "statevector" or (method == "automatic" and output_kind == "expectations"):
        return statevector_bytes(qubits)
    return None


def human_bytes(n: float) -> str:
    for unit, size in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n / 1024:,.1f} KiB"
