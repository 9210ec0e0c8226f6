"""Sweep results as a researcher reads them: one row per parameter set (values named by the
circuit's parameter names), one column per observable, a legend naming each observable once,
and long tables cut to their head and tail unless --all."""

from __future__ import annotations

import json
import re
from functools import cache
from io import StringIO
from types import SimpleNamespace

import pytest
from rich.console import Console

from qdispatch_cli import output, results
from tests.samples import PARAM_2Q

OBS = [[["ZZ"], [1.0]], [["XX", "YY"], [0.5, 0.5]], [["IZ"], [1.0]]]


def sweep_job(sets: int, *, circuits: int = 1, run_type: str = "Run", observables=OBS):
    params = [[[i / 10, 0.3] for i in range(sets)] for _ in range(circuits)]
    values = [[[(o + 1) * 0.1 + i / 1000 for i in range(sets)] for o in range(len(observables))]]
    errors = [[[0.01] * sets for _ in observables]]
    return SimpleNamespace(
        id="job_sweep",
        results=values * circuits,
        uncertainties=errors * circuits if run_type == "Run" else [[[0.0] * sets]] * circuits,
        observables=[observables] * circuits,
        parameters=params,
        circuit_ids=[f"cir_{c}" for c in range(circuits)],
        run_type=run_type,
        mitigation=None,
    )


@pytest.fixture
def screen(monkeypatch):
    """stdout is a Rich console of a given width writing to a buffer."""
    buffer = StringIO()

    def at(width: int) -> StringIO:
        console = Console(file=buffer, width=width, highlight=False, emoji=False)
        monkeypatch.setattr(output, "out", cache(lambda: console))
        return buffer

    return at


NAMES = {"cir_0": ("phi", "theta"), "cir_1": ("phi", "theta")}


@pytest.mark.parametrize("width", [80, 120])
def test_a_sweep_is_one_row_per_set_and_one_column_per_observable(screen, width, capsys):
    buffer = screen(width)
    results.show(sweep_job(60), NAMES)
    text = buffer.getvalue()
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines), text
    # The legend names each observable once, then the columns say O1, O2, O3.
    assert text.count("O2 = 0.5·XX + 0.5·YY") == 1 and text.count("O1 = ZZ") == 1
    header = next(line.split() for line in lines if line.lstrip().startswith("set"))
    assert header == ["set", "phi", "theta", "O1", "O2", "O3"]
    rows = [line.split() for line in lines if re.match(r"\s*\d+\s", line)]
    assert [r[0] for r in rows] == [str(n) for n in [*range(1, 16), *range(56, 61)]]
    assert rows[0][1:] == ["0", "0.3", "+0.1000", "±", "0.0100", "+0.2000", "±", "0.0100",
                           "+0.3000", "±", "0.0100"]  # fmt: skip
    assert rows[-1][1:3] == ["5.9", "0.3"]
    assert "(40 parameter sets not shown at ⋮)" in text
    hint = capsys.readouterr().err
    assert "qdispatch jobs show job_sweep --all" in hint and "jobs export" in hint
    assert sum(1 for line in lines if line.strip()) < 30  # not 310 lines


def test_all_rows_on_request(screen):
    buffer = screen(120)
    results.show(sweep_job(60), NAMES, all_rows=True)
    rows = [line for line in buffer.getvalue().splitlines() if re.match(r"\s*\d+\s", line)]
    assert len(rows) == 60 and "⋮" not in buffer.getvalue()


def test_circuits_with_the_same_observables_share_one_table(screen):
    buffer = screen(120)
    results.show(sweep_job(3, circuits=2), NAMES)
    text = buffer.getvalue()
    assert text.count("O1 = ZZ") == 1 and "circuits 1 (cir_0), 2 (cir_1)" in text
    header = next(line.split() for line in text.splitlines() if "theta" in line)
    assert header[:2] == ["circuit", "set"]
    rows = [line.split()[:2] for line in text.splitlines() if re.match(r"\s*\d+\s+\d+\s", line)]
    assert rows == [["1", "1"], ["1", "2"], ["1", "3"], ["2", "1"], ["2", "2"], ["2", "3"]]


def test_exact_values_have_no_error_column_noise(screen):
    buffer = screen(120)
    results.show(sweep_job(2, run_type="StatevectorRun", observables=OBS[:1]), NAMES)
    text = buffer.getvalue()
    assert "exact expectation values" in text and "±" not in text.split("O1 = ZZ")[1]
    assert "+0.100000" in text


def test_a_counts_sweep_is_one_row_per_set_with_its_heaviest_outcomes(screen):
    buffer = screen(100)
    sets = 40
    job = SimpleNamespace(
        id="job_counts",
        results=[[{"00": 600 - i, "11": 400 + i, "01": 24} for i in range(sets)]],
        uncertainties=None,
        observables=None,
        parameters=[[[i / 10] for i in range(sets)]],
        circuit_ids=["cir_0"],
        run_type="Run",
        mitigation=None,
    )
    results.show(job, {"cir_0": ("theta",)})
    text = buffer.getvalue()
    assert "heaviest outcomes (share)" in text
    first = next(line for line in text.splitlines() if re.match(r"\s*1\s", line))
    assert first.split() == ["1", "0", "00", "58.6%", "11", "39.1%", "01", "2.3%"]
    assert "⋮" in text and len(text.splitlines()) < 30


def test_a_few_distributions_keep_their_histograms(screen):
    buffer = screen(100)
    job = SimpleNamespace(
        id="job_small",
        results=[[{"0": 3, "1": 1}, {"1": 4}]],
        uncertainties=None,
        observables=None,
        parameters=[[[0.0], [3.14]]],
        circuit_ids=["cir_0"],
        run_type="Run",
        mitigation=None,
    )
    results.show(job, {"cir_0": ("theta",)})
    text = buffer.getvalue()
    assert "parameter set 2: theta=3.14" in text and "outcome" in text


def test_jobs_show_of_a_1600_set_sweep_is_short(cli):
    sets = json.dumps([[i / 100, 0.5] for i in range(1600)])
    job_id = cli.submit(
        cli.qasm(PARAM_2Q), "-d", "dummy_simulator", "--parameters", sets,
        "-o", "ZZ", "-o", "XX:0.5,YY:0.5", "-o", "IZ",
    )  # fmt: skip
    cli.finish(job_id)
    shown = cli("jobs", "show", job_id)
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert 30 < len(lines) < 60, len(lines)  # not 1,610
    assert "(1,580 parameter sets not shown at ⋮)" in shown.stdout
    assert f"qdispatch jobs show {job_id} --all" in shown.stderr
    every = cli("jobs", "show", job_id, "--all")
    rows = [line for line in every.stdout.splitlines() if re.match(r"\s*\d+\s+\d", line)]
    assert len(rows) == 1600
