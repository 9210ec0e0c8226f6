import math

import pytest

from qdispatch_core.rules.expectation import (
    exact_expectation,
    expectation_from_groups,
    pauli_expectation,
)
from qdispatch_core.rules.paulis import group_qubit_wise

S = 1 / math.sqrt(2)


def bell():
    return [S, 0, 0, S], [0, 0, 0, 0]


@pytest.mark.parametrize(
    "pauli, value", [("ZZ", 1), ("XX", 1), ("YY", -1), ("ZI", 0), ("IZ", 0), ("II", 1)]
)
def test_bell_state_exact_values(pauli, value):
    assert pauli_expectation(*bell(), pauli) == pytest.approx(value, abs=1e-12)


def test_qubit_order_of_statevector_expectations():
    # |01> in Qiskit order: qubit 0 is 1, qubit 1 is 0 (index 1).
    real, imag = [0, 1, 0, 0], [0, 0, 0, 0]
    assert pauli_expectation(real, imag, "IZ") == -1  # Z on qubit 0
    assert pauli_expectation(real, imag, "ZI") == 1  # Z on qubit 1


def test_y_eigenstate():
    # (|0> + i|1>)/√2 is the +1 eigenstate of Y.
    assert pauli_expectation([S, 0], [0, S], "Y") == pytest.approx(1)


def test_exact_expectation_sums_terms():
    assert exact_expectation(*bell(), [["ZZ", "XX", "YY"], [1.0, 0.5, 2.0]]) == pytest.approx(-0.5)


def test_sampled_bell_counts_give_exact_zz_with_zero_error():
    observable = [["ZZ"], [1.0]]
    groups = group_qubit_wise(observable[0])
    value, err = expectation_from_groups(observable, groups, [{"00": 500, "11": 524}], 1024)
    assert value == 1.0 and err == 0.0


def test_sampled_error_is_binomial():
    observable = [["IZ"], [1.0]]
    groups = group_qubit_wise(observable[0])
    value, err = expectation_from_groups(observable, groups, [{"00": 750, "01": 250}], 1000)
    assert value == pytest.approx(0.5)
    assert err == pytest.approx(math.sqrt((1 - 0.25) / 1000))


def test_identity_term_is_exact_and_costs_nothing():
    observable = [["II", "ZZ"], [3.0, 1.0]]
    groups = group_qubit_wise(observable[0])
    value, _ = expectation_from_groups(observable, groups, [{"01": 10}], 10)
    assert value == pytest.approx(3.0 - 1.0)


def test_correlated_terms_in_one_group_add_before_the_variance():
    # Z0 and Z1 measured by the same shots on a Bell pair are perfectly correlated:
    # Z0 + Z1 is ±2 per shot.
    observable = [["IZ", "ZI"], [1.0, 1.0]]
    groups = group_qubit_wise(observable[0])
    value, err = expectation_from_groups(observable, groups, [{"00": 50, "11": 50}], 100)
    assert value == pytest.approx(0.0)
    assert err == pytest.approx(2 / math.sqrt(100))
