"""The SVG charts and how results become them: what is drawn, for every result shape."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import pairwise

from hypothesis import example, given
from hypothesis import strategies as st

from qdispatch_core.domain import CircuitAnalytics
from qdispatch_core.domain.circuits import Circuit
from qdispatch_core.schemas import JobView
from qdispatch_web.charts import Series, bar_chart, heat_map, line_chart, nice_ticks
from qdispatch_web.downloads import results_csv
from qdispatch_web.highlight import highlight_qasm
from qdispatch_web.rendering import usd
from qdispatch_web.results import MAX_OUTCOMES, observable_label, result_panels

T = datetime(2026, 1, 1, tzinfo=UTC)


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
@example(5e-324, -6.0)  # a subnormal bound: high / step underflows to 0
def test_ticks_cover_the_range_in_round_steps(a, b):
    low, high = min(a, b), max(a, b)
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high
    steps = {round(y - x, 9) for x, y in pairwise(ticks)}
    assert len(steps) <= 2  # one step (rounding may split it in the last digit)
    assert 2 <= len(ticks) <= 13


def test_bars_points_and_cells_are_counted_and_labels_escaped():
    bars = bar_chart(["<b>", "01"], [Series("a", [1, 2]), Series("b", [3, -1], [0.1, 0.2])],
                     title="t & u", y_label="y")  # fmt: skip
    assert bars.count('class="bar"') == 4 and 'data-bars="4"' in bars
    assert bars.count('class="errorbar"') == 2 and "<b>" not in bars and "&lt;b&gt;" in bars
    assert "style=" not in bars  # the page's CSP allows no inline styles
    lines = line_chart([0, 1, 2], [Series("s", [1, 2, 3], [0.1, 0.1, 0.1])], title="t",
                       x_label="x", y_label="y")  # fmt: skip
    assert lines.count('class="point"') == 3 and lines.count('class="errorbar"') == 3
    cells = heat_map([0, 1, 2], [0, 1], [[1, 2, 3], [4, 5, 6]], title="h", x_label="a", y_label="b")
    assert cells.count('class="cell"') == 6
    colours = re.findall(r'class="cell"[^>]*fill="(#[0-9a-f]{6})"', cells)
    assert colours[0] == "#440154" and colours[-1] == "#fde725"  # lowest and highest


def _circuit(names=(), qubits=2) -> Circuit:
    facts = CircuitAnalytics(qubits, qubits, len(names), tuple(names), 1, 0, 1, 0, 1)
    return Circuit("cir_1", "u", "e", "", "", "", 3, "h", facts, T)


def _job(**fields) -> JobView:
    base = dict(id="job_1", owner_id="u", experiment_id="e", name="", description="",
                device_id="d", provider="p", run_type="Run", shots=10, circuit_ids=["cir_1"],
                parameters=None, observables=None, options={}, use_mitigation=False,
                dry_run=False, status="Done", provider_job_ids=[], created_at=T, started_at=T,
                finished_at=T, estimated_cost=None, cost=None, results=None, uncertainties=None,
                raw_results=None, mitigation=None, plan=None, error=None, logs=[],
                progress={"done": 1, "total": 1}, cancel_requested=False)  # fmt: skip
    return JobView(**{**base, **fields})


def test_counts_with_parameters_give_one_histogram_per_set():
    job = _job(parameters=[[[0.1], [0.2]]], results=[[{"0": 6, "1": 4}, {"1": 10}]])
    panels = result_panels(job, [_circuit(["t"], 1)])
    assert [p.chart.count('class="bar"') for p in panels] == [2, 1]
    rows = results_csv(job).splitlines()
    assert rows[1:] == ["1,cir_1,,1,[0.1],0,6,,,,", "1,cir_1,,1,[0.1],1,4,,,,",
                        "1,cir_1,,2,[0.2],1,10,,,,"]  # fmt: skip


def test_many_outcomes_are_cut_to_the_likeliest_with_a_note():
    counts = {format(i, "06b"): i + 1 for i in range(64)}
    (panel,) = result_panels(_job(results=[counts]), [_circuit(qubits=6)])
    assert panel.chart.count('class="bar"') == MAX_OUTCOMES
    assert "111111" in panel.chart and "000000" not in panel.chart
    assert panel.note.startswith(f"{64 - MAX_OUTCOMES} rarer outcomes")


def test_mitigated_counts_are_drawn_beside_the_raw_ones():
    job = _job(results=[{"00": 0.52, "11": 0.49, "01": -0.01}],
               raw_results=[{"00": 500, "11": 480, "01": 20}])  # fmt: skip
    (panel,) = result_panels(job, [_circuit()])
    assert panel.chart.count('data-series="0"') == 3 and panel.chart.count('data-series="1"') == 3
    assert "raw: 01 = 0.02" in panel.chart and "mitigated: 01 = -0.01" in panel.chart
    assert results_csv(job).splitlines()[1] == "1,cir_1,,,,00,0.52,,500,,"


def test_state_vectors_become_probabilities():
    r = 2**-0.5
    job = _job(run_type="StatevectorRun", results=[[[r, 0, 0, r], [0, 0, 0, 0]]])
    (panel,) = result_panels(job, [_circuit()])
    assert panel.chart.count('class="bar"') == 2 and "00: 0.5" in panel.chart
    assert len(results_csv(job).splitlines()) == 1 + 4


def test_expectation_values_without_parameters_are_bars_with_error_bars():
    job = _job(observables=[[[["ZZ"], [1.0]], [["XX", "YY"], [0.5, -1]]]], results=[[0.9, -0.2]],
               uncertainties=[[0.01, 0.02]])  # fmt: skip
    (panel,) = result_panels(job, [_circuit()])
    assert panel.chart.count('class="bar"') == 2 and panel.chart.count('class="errorbar"') == 2
    assert observable_label(job.observables[0][1]) == "0.5·XX − YY"


def test_two_parameters_on_a_grid_are_a_heat_map_else_a_line_over_the_sets():
    sets = [[a, b] for a in (0.0, 1.0, 2.0) for b in (0.0, 1.0)]
    values = [[[float(i) for i in range(6)]]]
    grid = _job(parameters=[sets], observables=[[[["ZZ"], [1.0]]]], results=values,
                uncertainties=[[[0.0] * 6]])  # fmt: skip
    (panel,) = result_panels(grid, [_circuit(["a", "b"])])
    assert panel.chart.count('class="cell"') == 6
    ragged = _job(parameters=[sets[:5]], observables=[[[["ZZ"], [1.0]]]],
                  results=[[values[0][0][:5]]], uncertainties=None)  # fmt: skip
    (panel,) = result_panels(ragged, [_circuit(["a", "b"])])
    assert panel.chart.count('class="point"') == 5 and "parameter set" in panel.chart


def test_no_results_no_panels():
    assert result_panels(_job(dry_run=True), [_circuit()]) == []


def test_money_shows_cents_and_micro_dollars():
    assert [usd(x) for x in (7.5, 0, 0.000123, 1234.5, None)] == [
        "$7.50", "$0.00", "$0.000123", "$1,234.50", "—"]  # fmt: skip


def test_highlighting_escapes_the_source():
    html = highlight_qasm("OPENQASM 3.0;\n// <script>alert(1)</script>\nqubit q;\n")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<span class="k">OPENQASM</span>' in html and '<span class="kt">qubit</span>' in html
