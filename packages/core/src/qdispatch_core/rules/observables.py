"""Pauli observables (run contract §4): every accepted input shape, normalised and checked.

An observable is `[pauli_strings, coefficients]`. Canonical form: one entry per circuit, each a
non-empty list of observables `[list[str], list[float]]`. Pauli strings follow Qiskit's order:
the rightmost character acts on qubit 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules._shapes import as_finite, describe, is_seq, split_per_circuit

Observable = list[Any]  # [list[str], list[float]]
Canonical = list[list[Observable]]

PAULI_CHARS = frozenset("IXYZ")

ACCEPTED_SHAPES = (
    'an observable is [pauli_strings, coefficients], e.g. [["ZZ", "XX"], [1.0, 0.5]]; '
    "for one circuit pass a single observable, a list of observables, or [[obs1, obs2]]; for "
    "several circuits pass a list with exactly one entry per circuit, each a single observable "
    "or a list of observables (to measure the same observable on every circuit, repeat it)"
)


def looks_like_observable(x: Any) -> bool:
    """Structurally `[strings, something-list]`; the content is checked later, with clear errors."""
    return (
        is_seq(x)
        and len(x) == 2
        and is_seq(x[0])
        and all(isinstance(s, str) for s in x[0])
        and is_seq(x[1])
    )


def _is_observable_list(x: Any) -> bool:
    return is_seq(x) and len(x) > 0 and all(looks_like_observable(o) for o in x)


def _entry_observables(entry: Any) -> list[Any] | None:
    if looks_like_observable(entry):
        return [entry]
    if _is_observable_list(entry):
        return list(entry)
    return None


def _check_observable(obs: Any, qubits: int, where: str, circuit_no: int) -> Observable:
    paulis, coeffs = obs
    if len(paulis) == 0:
        raise BadRequest(f"{where}: an observable needs at least one term", field=where)
    if len(paulis) != len(coeffs):
        raise BadRequest(
            f"{where}: {len(paulis)} Pauli string(s) but {len(coeffs)} coefficient(s); "
            "the two lists must have equal length",
            field=where,
        )
    for k, p in enumerate(paulis):
        if len(p) != qubits or not set(p) <= PAULI_CHARS:
            raise BadRequest(
                f"{where}: Pauli string {describe(p)} must have exactly {qubits} characters "
                f"(circuit "
                f"{circuit_no} has {qubits} qubits) drawn from I, X, Y, Z; the rightmost "
                "character acts on qubit 0",
                field=f"{where}[0][{k}]",
            )
    out_coeffs = []
    for k, c in enumerate(coeffs):
        number = as_finite(c)
        if number is None:
            raise BadRequest(
                f"{where}: coefficient {describe(c)} must be a finite real number",
                field=f"{where}[1][{k}]",
            )
        out_coeffs.append(number)
    return [list(paulis), out_coeffs]


def normalize_observables(raw: Any, qubits: Sequence[int]) -> Canonical | None:
    """Check `raw` against the circuits' qubit counts and return the canonical form.

    `qubits` holds each circuit's qubit count, in run order. None stays None.
    """
    if raw is None:
        return None
    per_circuit = split_per_circuit(
        raw, len(qubits), _entry_observables, "observables", ACCEPTED_SHAPES
    )
    return [
        [
            _check_observable(obs, n, f"observables[{i}][{k}]", i + 1)
            for k, obs in enumerate(observables)
        ]
        for i, (observables, n) in enumerate(zip(per_circuit, qubits, strict=True))
    ]
