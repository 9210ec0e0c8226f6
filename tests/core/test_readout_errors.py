"""Standard errors of readout-corrected expectation values (rules.readout_errors)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdispatch_core.domain import RunType
from qdispatch_core.rules.expectation import expectation_from_groups
from qdispatch_core.rules.paulis import group_qubit_wise
from qdispatch_core.rules.plan import build_plan
from qdispatch_core.rules.readout_errors import (
    HOW,
    compact_rates,
    corrected_expectation,
    eigen_factors,
    expand_rates,
    uncertainties_of,
)
from qdispatch_qiskit.readout import Calibration, correct

rates = st.tuples(st.floats(0.0, 0.2), st.floats(0.0, 0.2))
counts2 = st.lists(st.integers(0, 500), min_size=4, max_size=4).filter(lambda c: sum(c) > 0)


def _keys(values):
    return {format(i, "02b"): v for i, v in enumerate(values) if v}


def test_without_readout_error_the_factors_are_the_plain_eigenvalues():
    assert eigen_factors(None) == (1.0, -1.0)
    assert eigen_factors((0.0, 0.0)) == (1.0, -1.0)


def test_a_random_readout_cannot_be_corrected():
    with pytest.raises(ValueError, match="random"):
        eigen_factors((0.5, 0.5))


@settings(max_examples=60, deadline=None)
@given(counts=counts2, r0=rates, r1=rates, pauli=st.sampled_from(["ZZ", "ZI", "IZ"]))
def test_the_corrected_estimator_equals_the_expectation_of_the_corrected_distribution(
    counts, r0, r1, pauli
):
    raw = _keys(counts)
    calibration = Calibration({0: r0, 1: r1}, 1000, "now")
    quasi = correct(raw, [1, 0], calibration)  # key character 0 is qubit 1 (Qiskit order)
    observable = [[pauli], [1.0]]
    groups = group_qubit_wise(observable[0])
    shots = sum(counts)
    from_quasi, _ = expectation_from_groups(observable, groups, [quasi], shots)
    value, error = corrected_expectation(observable, groups, [raw], [(r0, r1)], shots)
    assert value == pytest.approx(from_quasi, abs=1e-9)
    plain_value, plain_error = expectation_from_groups(observable, groups, [raw], shots)
    assert error >= plain_error - 1e-12  # the correction only ever amplifies the spread


def test_near_one_the_error_is_the_raw_shot_noise_amplified_not_the_quasi_spread():
    # |00> read with 5% flips per bit: raw <ZZ> ≈ 0.81, corrected exactly 1.
    e = 0.05
    shots = 10_000
    raw = {"00": 0.9025 * shots, "01": 0.0475 * shots, "10": 0.0475 * shots, "11": 0.0025 * shots}
    observable = [["ZZ"], [1.0]]
    groups = group_qubit_wise(observable[0])
    value, error = corrected_expectation(observable, groups, [raw], [((e, e), (e, e))], shots)
    assert value == pytest.approx(1.0)
    raw_zz = (1 - 2 * e) ** 2
    # g takes ±1/(1-2e)^2 on even/odd parity outcomes: variance (1 - raw_zz²)/(1-2e)^4.
    assert error == pytest.approx(math.sqrt((1 - raw_zz**2) / shots) / (1 - 2 * e) ** 2)
    quasi = correct(raw, [1, 0], Calibration({0: (e, e), 1: (e, e)}, shots, "now"))
    assert expectation_from_groups(observable, groups, [quasi], shots)[1] < error / 10


@settings(max_examples=40, deadline=None)
@given(counts=counts2, pauli=st.sampled_from(["ZZ", "ZI", "IZ"]))
def test_an_uncorrected_executable_gets_the_plain_estimate(counts, pauli):
    raw = _keys(counts)
    observable = [[pauli], [1.0]]
    groups = group_qubit_wise(observable[0])
    shots = sum(counts)
    plain = expectation_from_groups(observable, groups, [raw], shots)
    for no_rates in ((), (None, None)):
        found = corrected_expectation(observable, groups, [raw], [no_rates], shots)
        assert found == pytest.approx(plain)


def test_rates_are_stored_once_per_distinct_set():
    per_executable = [((0.1, 0.2), None), ((0.1, 0.2), None), None, ((0.3, 0.0), (0.1, 0.1))]
    compact = compact_rates(per_executable)
    assert len(compact["bit_rates"]) == 2 and compact["executables"] == [0, 0, None, 1]
    assert expand_rates(compact) == per_executable


def test_the_record_says_how_the_uncertainties_were_obtained():
    observable = [["ZZ", "XX"], [1.0, 0.5]]
    plan = build_plan(RunType.RUN, 100, [2], [[()]], [[observable]])
    raw = [{"00": 90, "11": 10}, {"00": 50, "01": 50}]
    readout = [((0.02, 0.03), (0.01, 0.04))] * 2
    values, record = uncertainties_of(plan, [[0.0]], {"applied": True}, raw, readout)
    assert record["uncertainties"] == HOW
    assert expand_rates(record["correction"]) == readout
    ((error,),) = values[0]  # one circuit, one observable, one parameter set
    assert error > 0
    # Nothing applied: the job's record and uncertainties stay as they were.
    assert uncertainties_of(plan, [[0.1]], {"applied": False}, raw, readout) == (
        [[0.1]],
        {"applied": False},
    )
