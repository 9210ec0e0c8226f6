"""Which dense state an Aer simulation holds, and how many qubits a memory budget allows.

Aer sizes its dense methods by memory (a state vector of n qubits is 16·2^n bytes, a density
matrix 16·4^n). The same rule, applied to the memory this worker may use rather than to the
host's, gives the `aer_simulator` device its qubit count. The sizes, the budget and the refusal
are the toolkit's (qdispatch_qiskit.memory).
"""

from __future__ import annotations

import math

from qdispatch_qiskit.memory import DENSITY_MATRIX, STATEVECTOR


def qubits_for_memory(memory_bytes: int) -> int:
    """Aer's rule (qiskit_aer MAX_QUBITS_STATEVECTOR): the widest state vector that fits."""
    return max(1, int(math.log2(memory_bytes / 16)))


def dense_state(method: str, output_kind: str) -> str | None:
    """The dense state a run holds (STATEVECTOR or DENSITY_MATRIX), or None where its memory
    does not grow as 2^n.

    A statevector output is dense whatever the method. Sampling on `automatic` may run as a
    stabilizer simulation, and matrix product states grow with entanglement, not width; those
    are bounded by the device's qubit count instead.
    """
    if output_kind == "statevector":
        return STATEVECTOR
    if method == "density_matrix":
        return DENSITY_MATRIX
    if method == "statevector" or (method == "automatic" and output_kind == "expectations"):
        return STATEVECTOR
    return None
