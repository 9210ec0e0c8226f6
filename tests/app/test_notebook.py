"""Issue 16, item 4: the example notebook runs headless (nbclient + ipykernel), and what it
displays is the stored job: status, values, a figure."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from qdispatch import App, Client, Settings

NOTEBOOK = Path(__file__).parents[2] / "examples" / "library.ipynb"


def cell(shown: dict, text: str) -> dict:
    """What the one code cell whose source contains `text` showed."""
    (found,) = [outputs for source, outputs in shown.items() if text in source]
    return found


def outputs_of(cell) -> dict:
    """Every mime bundle a cell showed, merged (execute results and display data)."""
    shown = {}
    for output in cell.get("outputs", []):
        assert output["output_type"] != "error", output
        shown.update(output.get("data", {}))
    return shown


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook executed once, in a kernel whose qdispatch home is a temporary folder."""
    tmp_path = tmp_path_factory.mktemp("notebook")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QDISPATCH_HOME", str(tmp_path / "home"))
        for variable in ("QDISPATCH_DATABASE_URL", "QDISPATCH_SECRET_KEY"):
            patch.delenv(variable, raising=False)
        runner = NotebookClient(
            notebook,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(tmp_path)}},
        )
        runner.execute()  # raises CellExecutionError on the first failing cell
    code = [c for c in notebook.cells if c.cell_type == "code"]
    by_source = {c.source: outputs_of(c) for c in code}
    with Client(app=App(Settings.from_env({"QDISPATCH_HOME": str(tmp_path / "home")}))) as client:
        sweep = next(j for j in client.jobs() if j.name == "ry sweep")
        result = client.job(sweep.id).result(10)
    return by_source, result


def test_the_notebook_runs_a_sweep_and_shows_it(executed):
    shown, result = executed
    job_card = cell(shown, 'name="ry sweep"')["text/html"]
    assert result.job.id in job_card
    card = cell(shown, "result = job.result()")["text/html"]
    assert ">Done<" in card and "aer_simulator" in card and "$0.00" in card
    assert result.job.id in card and "theta=" in card
    rows = re.findall(
        r"<tr><td[^>]*>0</td><td[^>]*>([^<]*)</td><td[^>]*>theta=([^<]*)</td>"
        r"<td[^>]*>([^<]*)</td>",
        card,
    )
    assert len(rows) == 24  # the card shows 24 of the 27 values, and says so
    assert "first 24 of 27 values" in card
    labels = result.observable_labels()
    for label, theta, value in rows:
        o = labels.index(label.replace("&#x27;", "'"))
        p = int(np.argmin(np.abs(result.parameter_values()[:, 0] - float(theta))))
        assert value == f"{result.expectation_value(o=o, p=p):.6g}"
    assert cell(shown, "result.evs.shape")["text/plain"] == "(3, 9)"
    assert "<table" in cell(shown, "to_dataframe()")["text/html"]
    assert cell(shown, "result.plot()")["image/png"]  # a picture, not "<Figure ...>"


def test_the_notebooks_primitive_call_gives_exact_values(executed):
    shown, _ = executed
    text = cell(shown, "from qdispatch.primitives import EstimatorV2")["text/plain"]
    values = np.array(eval(text.replace("array", ""), {}))  # numpy's repr of a float array
    angles = np.linspace(0, np.pi, 5)
    assert values.shape == (5, 2)
    assert np.allclose(values[:, 0], 1.0) and np.allclose(values[:, 1], np.cos(angles))
