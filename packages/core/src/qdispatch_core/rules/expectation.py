"""Expectation values of Pauli observables: estimated from measured counts, or exact from a state.

Counts come from a circuit whose qubits were rotated into a measurement group's basis and then
measured qubit q into classical bit q, so in every term's own basis an outcome's eigenvalue is
(-1) to the parity of the outcome bits on that term's support.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from qdispatch_core.rules.paulis import MeasurementGroup, masks, support

Counts = Mapping[str, float]


def bitstring_to_int(bits: str) -> int:
    """Qiskit order: the rightmost character is classical bit 0."""
    return int(bits.replace(" ", ""), 2)


def _weighted_outcomes(counts: Counts) -> list[tuple[int, float]]:
    return [(bitstring_to_int(b), float(w)) for b, w in counts.items() if w]


def _terms_in(observable: Sequence[Any], group: MeasurementGroup) -> list[tuple[int, float]]:
    """(support mask, summed coefficient) of the observable's terms measured by `group`."""
    wanted = set(group.terms)
    summed: dict[str, float] = {}
    for pauli, coeff in zip(observable[0], observable[1], strict=True):
        if pauli in wanted:
            summed[pauli] = summed.get(pauli, 0.0) + coeff
    return [(support(p), c) for p, c in summed.items()]


def identity_offset(observable: Sequence[Any]) -> float:
    """The observable's identity terms: exact, no measurement needed."""
    return float(
        sum(c for p, c in zip(observable[0], observable[1], strict=True) if set(p) <= {"I"})
    )


def group_estimate(
    outcomes: Sequence[tuple[int, float]], terms: Sequence[tuple[int, float]], shots: int
) -> tuple[float, float]:
    """Mean of Σ c·eigenvalue over the measured outcomes, and the squared standard error.

    Terms measured by the same shots are correlated, so the variance is taken of their sum per
    shot, not summed per term.
    """
    if not terms:
        return 0.0, 0.0
    total = sum(w for _, w in outcomes)
    if total == 0:
        return 0.0, 0.0
    values = []
    for outcome, w in outcomes:
        v = 0.0
        for mask, c in terms:
            v += -c if (outcome & mask).bit_count() & 1 else c
        values.append((v, w))
    mean = sum(v * w for v, w in values) / total
    variance = max(0.0, sum(w * (v - mean) ** 2 for v, w in values) / total)
    return mean, variance / max(shots, 1)


def expectation_from_groups(
    observable: Sequence[Any],
    groups: Sequence[MeasurementGroup],
    group_counts: Sequence[Counts],
    shots: int,
) -> tuple[float, float]:
    """(expectation value, standard error) of one observable from its circuit's group counts.

    Groups are measured by independent shots, so their variances add.
    """
    value = identity_offset(observable)
    variance = 0.0
    for group, counts in zip(groups, group_counts, strict=True):
        terms = _terms_in(observable, group)
        if terms:
            mean, var = group_estimate(_weighted_outcomes(counts), terms, shots)
            value += mean
            variance += var
    return value, math.sqrt(variance)


def pauli_expectation(real: Sequence[float], imag: Sequence[float], pauli: str) -> float:
    """⟨ψ|P|ψ⟩ for a state in Qiskit's index order (bit q of the index is qubit q)."""
    x, z = masks(pauli)
    phase = (1j) ** pauli.count("Y")  # Y = i·X·Z
    total = 0j
    for k in range(len(real)):
        amp = complex(real[k], imag[k])
        if amp == 0:
            continue
        target = k ^ x
        sign = -1 if (k & z).bit_count() & 1 else 1
        total += complex(real[target], -imag[target]) * sign * amp
    return (total * phase).real


def exact_expectation(
    real: Sequence[float], imag: Sequence[float], observable: Sequence[Any]
) -> float:
    return float(
        sum(
            c * pauli_expectation(real, imag, p)
            for p, c in zip(observable[0], observable[1], strict=True)
        )
    )


def coefficient_bound(observable: Sequence[Any]) -> float:
    """Σ|c|: every expectation value of the observable lies within ±this."""
    return float(sum(abs(c) for c in observable[1]))
