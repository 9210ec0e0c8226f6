"""The memory a dense simulation in the worker's process needs, what it may use, and the refusal
when it does not fit.

A state vector of n qubits is 16·2^n bytes (complex doubles), a density matrix 16·4^n; the
simulator needs working memory beyond the state itself (HEADROOM, as the core's `Limits`).
What one simulation may use is the backend settings' budget (QDISPATCH_SIMULATION_MEMORY_BYTES,
read by the app). Shared by the providers that simulate locally; nothing here imports Qiskit or
NumPy.
"""

from __future__ import annotations

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.limits import human_bytes, statevector_bytes

MEMORY_ENV = "QDISPATCH_SIMULATION_MEMORY_BYTES"
HEADROOM = 2.0

# The dense states a simulation may hold, and how their size is written in a refusal.
STATEVECTOR = "statevector"
DENSITY_MATRIX = "density_matrix"
_FORMULAS = {
    STATEVECTOR: "a state vector of 16·2^{n} bytes",
    DENSITY_MATRIX: "a density matrix of 16·4^{n} bytes",
}


def density_matrix_bytes(qubits: int) -> int:
    return 16 * 4**qubits


def state_bytes(state: str, qubits: int) -> int:
    """Bytes of a `STATEVECTOR` or `DENSITY_MATRIX` of `qubits` qubits."""
    if state == DENSITY_MATRIX:
        return density_matrix_bytes(qubits)
    if state == STATEVECTOR:
        return statevector_bytes(qubits)
    raise ValueError(f"unknown dense state {state!r}")


def fits(state: str, qubits: int, limit: int) -> bool:
    """Whether the state, with the simulator's working memory, fits in `limit` bytes."""
    return state_bytes(state, qubits) * HEADROOM <= limit


def max_qubits(state: str, limit: int) -> int:
    """The most qubits whose state fits in `limit` bytes (0 when not even one does)."""
    n = 0
    while fits(state, n + 1, limit):
        n += 1
    return n


def check_fits(
    state: str, qubits: int, limit: int, *, subject: str, doing: str, hint: str, field: str
) -> None:
    """Refuse (400 on `field`) a simulation whose dense state does not fit in `limit` bytes.

    The message reads ``{subject}: {doing} needs <the state, its size> plus working memory,
    <in all>, more than the <limit> a simulation may use here (QDISPATCH_SIMULATION_MEMORY_BYTES);
    {hint}``, e.g. subject "circuit 2 has 30 qubits", doing "simulating it with method
    'statevector'", hint "use fewer qubits".
    """
    if fits(state, qubits, limit):
        return
    need = state_bytes(state, qubits)
    raise BadRequest(
        f"{subject}: {doing} needs {_FORMULAS[state].format(n=qubits)} ({human_bytes(need)}) "
        f"plus working memory, {human_bytes(need * HEADROOM)} in all, more than the "
        f"{human_bytes(limit)} a simulation may use here ({MEMORY_ENV}); {hint}",
        field=field,
    )
