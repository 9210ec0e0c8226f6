"""Results for people: the §5 nesting walked into labelled leaves, and the tables drawn."""

from types import SimpleNamespace

from rich.console import Console

from qdispatch_cli import results

OBS = [["ZZ", "XX"], [1.0, -0.5]]


def job(**fields):
    base = {
        "results": None,
        "uncertainties": None,
        "observables": None,
        "parameters": None,
        "circuit_ids": ["cir_a", "cir_b"],
        "run_type": "Run",
        "mitigation": None,
    }
    return SimpleNamespace(**{**base, **fields})


def text(renderable) -> str:
    console = Console(width=120, record=True)
    console.print(renderable)
    return console.export_text()


def places(found):
    return [(leaf.circuit, leaf.observable, leaf.parameter_set, leaf.value) for leaf in found]


def test_circuits_only():
    j = job(results=[{"00": 3}, {"11": 3}])
    assert places(results.leaves(j)) == [(0, None, None, {"00": 3}), (1, None, None, {"11": 3})]
    assert results.kind(j) == "counts"


def test_circuits_and_parameter_sets():
    j = job(results=[[{"0": 1}, {"1": 1}]], parameters=[[[0.1], [0.2]]], circuit_ids=["cir_a"])
    assert places(results.leaves(j)) == [(0, None, 0, {"0": 1}), (0, None, 1, {"1": 1})]


def test_circuits_observables_and_parameter_sets_with_errors():
    j = job(
        results=[[[0.1, 0.2], [0.3, 0.4]], [[0.5]]],
        uncertainties=[[[0.01, 0.02], [0.03, 0.04]], [[0.05]]],
        observables=[[OBS, OBS], [OBS]],
        parameters=[[[1.0], [2.0]], [[]]],
    )
    found = results.leaves(j)
    assert places(found) == [
        (0, 0, 0, 0.1),
        (0, 0, 1, 0.2),
        (0, 1, 0, 0.3),
        (0, 1, 1, 0.4),
        (1, 0, 0, 0.5),
    ]
    assert [leaf.error for leaf in found] == [0.01, 0.02, 0.03, 0.04, 0.05]
    assert results.kind(j) == "expectation"


def test_observables_without_parameters():
    j = job(results=[[0.7, -0.2]], uncertainties=[[0.1, 0.2]], observables=[[OBS, OBS]])
    assert [(lf.observable, lf.value, lf.error) for lf in results.leaves(j)] == [
        (0, 0.7, 0.1),
        (1, -0.2, 0.2),
    ]


def test_labels():
    assert results.observable_label(OBS) == "ZZ - 0.5·XX"
    assert results.observable_label([["ZI"], [-1.0]]) == "-ZI"
    assert results.parameter_label([0.1, 2.0], ("phi", "theta")) == "phi=0.1, theta=2"
    assert results.parameter_label([0.1], ()) == "[0.1]"
    assert results.parameter_label([], ()) == "no parameters"


def test_counts_are_sorted_with_bars_and_the_tail_summed():
    counts = {format(i, "05b"): i + 1 for i in range(20)}  # 20 outcomes, 10100 heaviest
    shown = text(results.distribution_table(counts))
    lines = [line for line in shown.splitlines() if line.strip()]
    assert lines[1].split()[:2] == ["10011", "20"]  # heaviest first
    assert lines[16].split()[:2] == ["00100", "5"]  # the 16th
    assert "… 4 more" in shown and "10 shots" in shown  # 1 + 2 + 3 + 4
    assert "█" * results.BAR_WIDTH in lines[1]


def test_bars_have_eighth_block_resolution():
    assert results.bar(1.0, 4) == "████"
    assert results.bar(0.5, 4) == "██"
    assert results.bar(1 / 32, 4) == "▏"
    assert results.bar(0.0, 4) == ""


def test_state_vectors_list_basis_states_by_probability():
    half = 0.5**0.5
    shown = text(results.statevector_table([[half, 0, 0, 0], [0, 0, 0, half]]))
    assert "|00⟩" in shown and "|11⟩" in shown and "-0.0000i" not in shown
    assert "+0.0000+0.7071i" in shown and "(2 zero amplitudes)" in shown
