import pytest

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.observables import normalize_observables

O1 = [["ZZ", "XX"], [1.0, 0.5]]
O2 = [["YY"], [2]]


@pytest.mark.parametrize(
    "raw, expected",
    [
        (O1, [[O1]]),  # a single observable
        ([O1, O2], [[O1, [["YY"], [2.0]]]]),  # a list of observables
        ([[O1, O2]], [[O1, [["YY"], [2.0]]]]),  # a list holding one list of observables
    ],
)
def test_one_circuit_shapes(raw, expected):
    assert normalize_observables(raw, [2]) == expected


def test_several_circuits_mixing_single_and_lists():
    out = normalize_observables([[O1, O2], O1], [2, 2])
    assert out == [[O1, [["YY"], [2.0]]], [O1]]


def test_none_stays_none():
    assert normalize_observables(None, [2]) is None


def test_same_observable_for_several_circuits_must_be_repeated():
    with pytest.raises(BadRequest) as err:
        normalize_observables(O1, [2, 2])
    assert "repeat it" in err.value.message


@pytest.mark.parametrize(
    "raw, qubits, field, words",
    [
        ([["ZZ", "XX"], [1.0]], [2], "observables[0][0]", "2 Pauli string(s) but 1"),
        ([[], []], [2], "observables[0][0]", "at least one term"),
        ([["ZZZ"], [1.0]], [2], "observables[0][0][0][0]", "exactly 2 characters"),
        ([["ZA"], [1.0]], [2], "observables[0][0][0][0]", "I, X, Y, Z"),
        ([["zz"], [1.0]], [2], "observables[0][0][0][0]", "I, X, Y, Z"),
        ([["ZZ"], [float("nan")]], [2], "observables[0][0][1][0]", "finite real"),
        ([["ZZ"], [1j]], [2], "observables[0][0][1][0]", "finite real"),
        ([["ZZ"], ["1"]], [2], "observables[0][0][1][0]", "finite real"),
        ("ZZ", [2], "observables", "fits no shape"),
        ([O1], [2, 2], "observables", "one entry per circuit (2)"),
        ([O1, "x"], [2, 2], "observables[1]", "fits no shape"),
        ([O1, []], [2, 2], "observables[1]", "fits no shape"),
    ],
)
def test_rejections_name_the_field(raw, qubits, field, words):
    with pytest.raises(BadRequest) as err:
        normalize_observables(raw, qubits)
    assert err.value.field == field
    assert words in err.value.message


def test_pauli_length_follows_each_circuits_qubits():
    out = normalize_observables([[["Z"], [1]], [["ZZZ"], [1]]], [1, 3])
    assert out == [[[["Z"], [1.0]]], [[["ZZZ"], [1.0]]]]
