import math

import pytest

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.parameters import normalize_parameters

AB = ("a", "b")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ([0.1, 0.2], [[[0.1, 0.2]]]),  # a single set
        ([[0.1, 0.2], [0.3, 0.4]], [[[0.1, 0.2], [0.3, 0.4]]]),  # a list of sets
        ([[[0.1, 0.2], [0.3, 0.4]]], [[[0.1, 0.2], [0.3, 0.4]]]),  # the per-circuit form
        ({"b": 2, "a": 1}, [[[1.0, 2.0]]]),  # a dict names every parameter
        ([{"a": 1, "b": 2}, [3, 4]], [[[1.0, 2.0], [3.0, 4.0]]]),  # dicts and lists mix
        ((0.5, 1), [[[0.5, 1.0]]]),  # tuples work like lists
    ],
)
def test_one_circuit_shapes(raw, expected):
    assert normalize_parameters(raw, [AB]) == expected


def test_several_circuits_take_one_entry_each_and_empty_for_unparameterised():
    raw = [[0.1, 0.2], [], [[1.0], [2.0]]]
    assert normalize_parameters(raw, [AB, (), ("x",)]) == [[[0.1, 0.2]], [[]], [[1.0], [2.0]]]


def test_none_without_parameters_is_none():
    assert normalize_parameters(None, [(), ()]) is None


def test_empty_set_for_an_unparameterised_single_circuit():
    assert normalize_parameters([], [()]) == [[[]]]


def test_binding_order_is_the_given_names_order():
    # Qiskit's order puts theta10 before theta2; the circuit port reports it that way.
    names = ("theta10", "theta2")
    assert normalize_parameters({"theta2": 2.0, "theta10": 10.0}, [names]) == [[[10.0, 2.0]]]


@pytest.mark.parametrize(
    "raw, names, field, words",
    [
        (None, [AB], "parameters", "no values were given"),
        ([0.1], [AB], "parameters[0][0]", "expected 2 value(s)"),
        ([0.1, 0.2, 0.3], [AB], "parameters[0][0]", "expected 2 value(s)"),
        ({"a": 1}, [AB], "parameters[0][0]", "missing 'b'"),
        ({"a": 1, "b": 2, "c": 3}, [AB], "parameters[0][0]", "unknown 'c'"),
        ([0.1, math.nan], [AB], "parameters[0][0][1]", "finite"),
        ([0.1, math.inf], [AB], "parameters[0][0][1]", "finite"),
        ({"a": 1, "b": "x"}, [AB], "parameters[0][0]['b']", "finite"),
        ([0.5], [()], "parameters[0]", "has no parameters"),
        ([[0.1, 0.2]], [AB, AB], "parameters", "one entry per circuit (2)"),
        ("text", [AB], "parameters", "fits no shape"),
        ([[0.1, "x"]], [AB], "parameters", "fits no shape"),
        ([True, False], [AB], "parameters", "fits no shape"),
        ([[0.1, 0.2], "x"], [AB, AB], "parameters[1]", "fits no shape"),
    ],
)
def test_rejections_name_the_field(raw, names, field, words):
    with pytest.raises(BadRequest) as err:
        normalize_parameters(raw, names)
    assert err.value.code == 400
    assert err.value.field == field
    assert words in err.value.message


def test_shape_errors_show_the_accepted_shapes():
    with pytest.raises(BadRequest) as err:
        normalize_parameters({"a": [1, 2]}, [AB, AB])
    assert "accepted shapes" in err.value.message
