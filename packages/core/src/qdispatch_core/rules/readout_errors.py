"""Standard errors of expectation values computed from readout-corrected counts.

A tensored readout correction applies, per measured bit, the inverse of the 2×2 assignment
matrix A = [[1-e0, e1], [e0, 1-e1]] (e0 = P(read 1 | prepared 0), e1 = P(read 0 | prepared 1)).
The corrected expectation value of a Pauli term is therefore a *linear* function of the raw
counts: ⟨P⟩ = Σ_x p_raw(x)·g(x), where g is the product over the term's support of
h = A⁻ᵀ·(1, −1), i.e. h(0) = (1 − e1 + e0)/d and h(1) = −(1 − e0 + e1)/d with d = 1 − e0 − e1.
(Bits outside the support contribute A⁻ᵀ·(1, 1) = (1, 1).) Its variance over repeated shots is
exactly Var_raw(g)/shots: the shot noise of the raw counts, amplified by the correction. The
quasi-probabilities' own "variance" (what an uncorrected formula computes) misses the
amplification and collapses near ±1, where the corrected distribution is nearly pure.

The calibration's own sampling error is not included: it is shared by every value of the job
(one calibration serves them all), so it is a systematic offset rather than scatter; the job's
`mitigation` record says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from qdispatch_core.rules.expectation import (
    Counts,
    _terms_in,
    _weighted_outcomes,
    identity_offset,
)
from qdispatch_core.rules.paulis import MeasurementGroup
from qdispatch_core.rules.plan import JobPlan, nest

# Per classical bit i (bit 0 = the rightmost character): (P(1|0), P(0|1)) of the qubit read
# into it; None for a bit no qubit is read into (always 0, nothing to correct).
BitRates = Sequence[tuple[float, float] | None]

HOW = (
    "standard errors of the readout-corrected estimator: the raw counts' shot noise "
    "propagated through each measured qubit's inverted assignment matrix (exact for a "
    "tensored correction); the calibration's own sampling error is shared by all values of "
    "the job and not included"
)
HOW_UNPROPAGATED = (
    "standard errors of the mitigated distribution read as `shots` samples: the provider "
    "reports none for this mitigation and gives no correction to propagate them through, so "
    "they may understate the spread the mitigation adds"
)


def eigen_factors(rates: tuple[float, float] | None) -> tuple[float, float]:
    """(h(0), h(1)): a corrected Z eigenvalue as a function of the raw bit read."""
    if rates is None:
        return 1.0, -1.0
    e0, e1 = rates
    d = 1.0 - e0 - e1
    if abs(d) < 1e-9:
        raise ValueError("a qubit's readout is random (P(1|0) + P(0|1) = 1): cannot correct")
    return (1.0 - e1 + e0) / d, -(1.0 - e0 + e1) / d


def corrected_group_estimate(
    raw: Counts, terms: Sequence[tuple[int, float]], bits: BitRates, shots: int
) -> tuple[float, float]:
    """(mean, squared standard error) of Σ c·corrected eigenvalue over the raw counts."""
    outcomes = _weighted_outcomes(raw)
    total = sum(w for _, w in outcomes)
    if not terms or total == 0:
        return 0.0, 0.0
    width = max([len(bits), *(mask.bit_length() for mask, _ in terms)])
    # Bits without rates (an uncorrected executable has none) keep the plain eigenvalues.
    factors = [eigen_factors(bits[i] if i < len(bits) else None) for i in range(width)]
    values = []
    for outcome, w in outcomes:
        v = 0.0
        for mask, c in terms:
            product = c
            for i, (h0, h1) in enumerate(factors):
                if mask >> i & 1:
                    product *= h1 if outcome >> i & 1 else h0
            v += product
        values.append((v, w))
    mean = sum(v * w for v, w in values) / total
    variance = max(0.0, sum(w * (v - mean) ** 2 for v, w in values) / total)
    return mean, variance / max(shots, 1)


def corrected_expectation(
    observable: Sequence[Any],
    groups: Sequence[MeasurementGroup],
    raw_counts: Sequence[Counts],
    bit_rates: Sequence[BitRates],
    shots: int,
) -> tuple[float, float]:
    """(expectation value, standard error) of one observable from its groups' raw counts and
    the per-bit readout rates the correction used; groups' variances add."""
    value = identity_offset(observable)
    variance = 0.0
    for group, counts, bits in zip(groups, raw_counts, bit_rates, strict=True):
        terms = _terms_in(observable, group)
        if terms:
            mean, var = corrected_group_estimate(counts, terms, bits, shots)
            value += mean
            variance += var
    return value, math.sqrt(variance)


def compact_rates(per_executable: Sequence[BitRates | None]) -> dict[str, Any]:
    """The per-executable bit rates, stored once per distinct set (a sweep repeats them)."""
    distinct: list[list[list[float] | None]] = []
    seen: dict[tuple[tuple[float, float] | None, ...], int] = {}
    index: list[int | None] = []
    for bits in per_executable:
        if bits is None:
            index.append(None)
            continue
        key = tuple(bits)
        if key not in seen:
            seen[key] = len(distinct)
            distinct.append([list(r) if r is not None else None for r in bits])
        index.append(seen[key])
    return {"bit_rates": distinct, "executables": index}


def expand_rates(compact: Mapping[str, Any]) -> list[BitRates | None]:
    """Inverse of `compact_rates`."""
    distinct = [
        tuple(tuple(r) if r is not None else None for r in bits) for bits in compact["bit_rates"]
    ]
    return [distinct[i] if i is not None else None for i in compact["executables"]]


def mitigated_uncertainties(
    plan: JobPlan, raw_outputs: Sequence[Counts], readout: Sequence[BitRates | None]
) -> list[Any]:
    """The §5-nested standard errors of a sampled job's expectation values, from each
    executable's raw counts and the bit rates its correction used (None: not corrected)."""
    if len(raw_outputs) != len(plan.executables) or len(readout) != len(plan.executables):
        raise ValueError("raw counts and readout rates must have one entry per executable")
    at = {(e.circuit, e.group, e.parameter_set): e.index for e in plan.executables}
    errors: dict[tuple[int, int, int], float] = {}
    for c, cp in enumerate(plan.circuits):
        assert cp.groups is not None and cp.observables is not None
        for p in range(len(cp.parameter_sets)):
            indices = [at[(c, g, p)] for g in range(len(cp.groups))]
            counts = [raw_outputs[i] for i in indices]
            rates = [readout[i] or () for i in indices]
            for o, observable in enumerate(cp.observables):
                errors[(c, o, p)] = corrected_expectation(
                    observable, cp.groups, counts, rates, plan.shots
                )[1]

    def leaf(c: int, o: int | None, p: int) -> float:
        assert o is not None  # a job with expectation values has observables
        return errors[(c, o, p)]

    return nest(plan, leaf)


def uncertainties_of(
    plan: JobPlan,
    uncertainties: Any,
    mitigation: dict[str, Any] | None,
    raw_outputs: Sequence[Any] | None,
    readout: Sequence[BitRates | None] | None,
) -> tuple[Any, dict[str, Any] | None]:
    """(uncertainties, mitigation record saying how they were obtained) of a finished job:
    for readout-corrected counts, the corrected estimator's standard errors replace the
    quasi-probabilities' own; the record keeps the rates so they can be computed again."""
    if not mitigation or not mitigation.get("applied") or not plan.has_observables:
        return uncertainties, mitigation  # counts and state vectors carry no uncertainties
    record = dict(mitigation)
    sampled = plan.output_kind == "counts"
    if sampled and readout is not None and raw_outputs is not None:
        record["uncertainties"] = HOW
        record["correction"] = compact_rates(readout)
        return mitigated_uncertainties(plan, raw_outputs, readout), record
    record.setdefault("uncertainties", HOW_UNPROPAGATED)
    return uncertainties, record
