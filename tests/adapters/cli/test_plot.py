"""`qdispatch jobs plot` for sweeps: one line per observable against the swept parameter, with
error bars and a legend, at a bounded size however many parameter sets; a heat map for a 2-D
grid; histogram panels for counts."""

from __future__ import annotations

import json
import math

import pytest
from matplotlib.collections import QuadMesh
from PIL import Image

from qdispatch_cli import plot
from qdispatch_core.schemas import JobView
from tests.samples import PARAM_2Q

OBSERVABLES = ("-o", "ZZ", "-o", "XX:0.5,YY:0.5", "-o", "IZ")
MAX_PIXELS = (1200, 1000)  # width, height of a one-circuit sweep at any size


def done_sweep(cli, sets: list[list[float]]) -> JobView:
    job_id = cli.submit(
        cli.qasm(PARAM_2Q), "-d", "dummy_simulator", "--parameters", json.dumps(sets), *OBSERVABLES
    )
    return JobView.model_validate(cli.finish(job_id))


NAMES = {}  # filled per job below: the fake toolkit names parameters like Qiskit (phi, theta)


def names_of(job: JobView) -> dict:
    return {cid: ("phi", "theta") for cid in job.circuit_ids}


def data_lines(axes) -> list:
    """The plotted series: lines with a legend label (matplotlib's own start with '_')."""
    return [line for line in axes.lines if not line.get_label().startswith("_")]


@pytest.mark.parametrize("sets", [16, 1600])
def test_a_sweep_is_one_line_per_observable_at_a_bounded_size(cli, tmp_path, sets):
    job = done_sweep(cli, [[0.25, 2 * math.pi * i / sets] for i in range(sets)])
    figure = plot.figure_for(job, names_of(job))
    try:
        (axes,) = figure.axes
        lines = data_lines(axes)
        assert [line.get_label() for line in lines] == ["ZZ", "0.5·XX + 0.5·YY", "IZ"]
        assert all(len(line.get_xdata()) == sets for line in lines)
        assert axes.get_xlabel() == "theta"  # the one parameter that varies
        assert [t.get_text() for t in axes.get_legend().get_texts()] == [
            "ZZ", "0.5·XX + 0.5·YY", "IZ",
        ]  # fmt: skip
        # Error bars: a bar collection per observable (few points) or a band (many).
        assert len(axes.collections) == 3
    finally:
        from matplotlib import pyplot as plt

        plt.close(figure)
    path = tmp_path / f"sweep{sets}.png"
    assert cli("jobs", "plot", job.id, "-O", str(path)).exit_code == 0
    with Image.open(path) as image:
        width, height = image.size
    assert 600 <= width <= MAX_PIXELS[0] and 400 <= height <= MAX_PIXELS[1], (width, height)


def test_two_parameters_on_a_grid_make_a_heat_map_per_observable(cli, tmp_path):
    job = done_sweep(cli, [[a / 4, b / 3] for a in range(5) for b in range(4)])
    figure = plot.figure_for(job, names_of(job))
    try:
        maps = [
            a
            for a in figure.axes
            if a.get_label() != "<colorbar>" and any(isinstance(c, QuadMesh) for c in a.collections)
        ]
        assert len(maps) == 3  # one per observable (the other axes are colour bars)
        assert {(a.get_xlabel(), a.get_ylabel()) for a in maps} == {("phi", "theta")}
        (mesh,) = [c for c in maps[0].collections if isinstance(c, QuadMesh)]
        assert mesh.get_array().shape == (4, 5)  # theta rows × phi columns
        assert mesh.norm.vmin == -1 and mesh.norm.vmax == 1  # ZZ lies within ±1
    finally:
        from matplotlib import pyplot as plt

        plt.close(figure)
    path = tmp_path / "grid.png"
    assert cli("jobs", "plot", job.id, "-O", str(path)).exit_code == 0
    with Image.open(path) as image:
        assert image.size[0] <= 1800 and image.size[1] <= 1000


def test_several_varying_parameters_off_a_grid_plot_against_the_set_number(cli):
    job = done_sweep(cli, [[i / 7, (i * i) % 5] for i in range(12)])
    figure = plot.figure_for(job, names_of(job))
    try:
        (axes,) = figure.axes
        assert axes.get_xlabel() == "parameter set"
        assert list(data_lines(axes)[0].get_xdata()) == [float(n) for n in range(1, 13)]
    finally:
        from matplotlib import pyplot as plt

        plt.close(figure)


def test_counts_stay_histogram_panels(cli):
    sets = json.dumps([[i / 10, 0.1] for i in range(20)])
    job = JobView.model_validate(
        cli.finish(cli.submit(cli.qasm(PARAM_2Q), "-d", "dummy_simulator", "--parameters", sets))
    )
    figure = plot.figure_for(job, names_of(job))
    try:
        visible = [a for a in figure.axes if a.get_visible()]
        assert len(visible) == plot.MAX_PANELS  # the first 16 of 20 results
        assert all(a.get_ylabel() == "count" for a in visible)
        assert "first 16 of 20 results" in figure._suptitle.get_text()
    finally:
        from matplotlib import pyplot as plt

        plt.close(figure)
