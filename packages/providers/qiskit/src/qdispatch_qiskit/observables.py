"""Canonical observables (`[pauli_strings, coefficients]`, Qiskit order) as Qiskit operators."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qiskit.quantum_info import SparsePauliOp


def sparse_pauli_op(observable: Sequence[Any]) -> SparsePauliOp:
    """`[["ZZ", "XI"], [1.0, 0.5]]` → SparsePauliOp; both use Qiskit order (rightmost
    character acts on qubit 0), so strings pass through unchanged."""
    paulis, coefficients = observable
    if len(paulis) != len(coefficients) or not paulis:
        raise ValueError("an observable needs as many coefficients as Pauli strings, at least one")
    return SparsePauliOp(list(paulis), coeffs=[complex(c) for c in coefficients])
