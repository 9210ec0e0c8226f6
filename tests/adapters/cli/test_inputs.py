"""Command-line text → run request fields."""

import pytest
import typer

from qdispatch_cli.inputs import (
    build_observables,
    load_json,
    parse_observable,
    parse_options,
    parse_readable,
)

ZZ_XX = [["ZZ", "XX"], [1.0, 0.5]]


def test_option_values_are_json_when_they_can_be():
    options = parse_options(
        ["seed=7", "ratio=0.5", "fast=true", "method=statevector", 'tag="7"', "expr=a=b", "x="]
    )
    assert options == {
        "seed": 7,
        "ratio": 0.5,
        "fast": True,
        "method": "statevector",
        "tag": "7",
        "expr": "a=b",
        "x": "",
    }


@pytest.mark.parametrize("bad", ["seed", "=3"])
def test_an_option_without_a_key_is_a_usage_error(bad):
    with pytest.raises(typer.BadParameter, match="KEY=VALUE"):
        parse_options([bad])


def test_readable_observables():
    assert parse_readable("ZZ:1.0,XX:0.5") == ZZ_XX
    assert parse_readable(" ZZ : -2 , IX ") == [["ZZ", "IX"], [-2.0, 1.0]]
    assert parse_readable("ZI:1e-3") == [["ZI"], [0.001]]


@pytest.mark.parametrize("bad", ["ZZ:abc", "ZZ:1;XX:2", "", "Z Z:1", "ZZ:1,,XX:1"])
def test_unreadable_observables_are_usage_errors(bad):
    with pytest.raises(typer.BadParameter):
        parse_readable(bad)


def test_an_observable_may_be_json_or_a_file_and_name_its_circuit(tmp_path):
    path = tmp_path / "obs.json"
    path.write_text('[["ZZ"], [2.0]]')
    assert parse_observable('[["ZZ","XX"],[1.0,0.5]]') == (None, ZZ_XX)
    assert parse_observable(f"@{path}") == (None, [["ZZ"], [2.0]])
    assert parse_observable("2=XX:0.5") == (2, [["XX"], [0.5]])
    assert parse_observable('1=[["ZZ"],[1]]') == (1, [["ZZ"], [1]])


def test_one_circuit_gets_a_list_of_observables():
    assert build_observables([], 1) is None
    assert build_observables(["ZZ:1.0,XX:0.5", "IZ"], 1) == [ZZ_XX, [["IZ"], [1.0]]]


def test_unprefixed_observables_are_repeated_for_every_circuit():
    built = build_observables(["ZZ:1.0,XX:0.5", "2=IZ"], 2)
    assert built == [[ZZ_XX], [ZZ_XX, [["IZ"], [1.0]]]]


def test_a_single_nested_json_value_is_the_whole_field():
    whole = [[ZZ_XX], [[["XX"], [1.0]]]]
    assert build_observables([str(whole).replace("'", '"')], 2) == whole


def test_every_circuit_needs_an_observable():
    with pytest.raises(typer.BadParameter, match="circuit 2 has no observable"):
        build_observables(["1=ZZ"], 2)
    with pytest.raises(typer.BadParameter, match="names circuit 3; there are 2"):
        build_observables(["ZZ", "3=XX"], 2)


def test_nested_json_cannot_be_mixed_with_other_observables():
    with pytest.raises(typer.BadParameter, match="not one observable"):
        build_observables(['[[[["ZZ"], [1]]]]', "XX"], 1)


def test_json_mistakes_say_where(tmp_path):
    with pytest.raises(typer.BadParameter, match="line 1, column 2"):
        load_json("[,]", "--parameters")
    with pytest.raises(typer.BadParameter, match="cannot read"):
        load_json(f"@{tmp_path / 'missing.json'}", "--parameters")
