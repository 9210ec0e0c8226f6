"""`qdispatch jobs plot`: pictures of results with matplotlib (Agg: no display needed).

Imported only by that command: matplotlib costs a second of start-up that no other command
should pay.

- Expectation values of a sweep: value against the one parameter that varies (or against the
  parameter set's number when several vary), one line per observable with standard-error
  bars (a shaded band when there are hundreds of points) and a legend; one panel per
  circuit. When exactly two parameters vary over a full grid, a heat map per observable.
- Expectation values without parameter sets: bars per observable with error bars.
- Counts, quasi-probabilities and state vectors: one histogram panel per result.

Figures have a fixed size whatever the number of parameter sets (a 1,600-set sweep is as
wide as a 16-set one), so the picture stays readable and bounded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qdispatch_cli import results

if TYPE_CHECKING:
    from qdispatch_core.schemas import JobView

DPI = 110
MAX_PANELS = 16  # distributions drawn, one panel each
MAX_BARS = 32  # outcomes per panel, heaviest first
MAX_SWEEP_PANELS = 6  # circuits drawn as sweep panels
MAX_HEATMAPS = 9  # circuit × observable heat maps
LABEL_CHARS = 48  # an observable's label in a legend or a title, at most
DENSE = 60  # a sweep with more points than this draws its errors as a band


def plot_job(job: JobView, path: Path, names: Mapping[str, Sequence[str]]) -> None:
    """Write a picture of the job's results to `path`; 409 when there are none."""
    from matplotlib import pyplot as plt

    figure = figure_for(job, names)
    try:
        figure.savefig(path, dpi=DPI)
    finally:
        plt.close(figure)


def figure_for(job: JobView, names: Mapping[str, Sequence[str]]) -> Any:
    """The matplotlib figure for the job's results (the caller closes it)."""
    from qdispatch_core.errors import Conflict

    if job.results is None:
        why = "it is a dry run" if job.dry_run else f"it is {job.status}"
        raise Conflict(f"job {job.id} has no results to plot: {why}", field="job_id")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    found = results.leaves(job)
    kind = results.kind(job)
    if kind != "expectation":
        return _distributions(plt, job, found, kind, names)
    if job.parameters is None:
        return _expectation_bars(plt, job, found)
    circuits = [_sweep(job, found, c, names) for c in range(len(job.circuit_ids))]
    if all(s.grid is not None for s in circuits):
        return _heatmaps(plt, job, circuits)
    return _sweep_lines(plt, job, circuits)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


# -- sweeps ----------------------------------------------------------------------------------


@dataclass
class Sweep:
    """One circuit's expectation values over its parameter sets."""

    circuit: int
    labels: list[str]  # one per observable
    bounds: list[float]  # each observable's Σ|coefficient|: its values lie within ±that
    values: list[list[float]]  # [observable][set]
    errors: list[list[float]]  # [observable][set]
    x: list[float]  # the varying parameter's value, or the set's number (1-based)
    x_label: str
    grid: Grid | None  # two parameters varying over a full grid
    sets: list[list[float]]


@dataclass
class Grid:
    """Two parameters (their positions in a set, and names) whose values form a full grid."""

    x: int
    y: int
    x_name: str
    y_name: str
    xs: list[float]  # the distinct values, sorted
    ys: list[float]


def _names_for(job: JobView, c: int, names: Mapping[str, Sequence[str]]) -> list[str]:
    width = max((len(s) for s in job.parameters[c]), default=0)
    known = list(names.get(job.circuit_ids[c], ()))
    return known if len(known) == width else [f"p{i + 1}" for i in range(width)]


def _sweep(
    job: JobView, found: Sequence[results.Leaf], c: int, names: Mapping[str, Sequence[str]]
) -> Sweep:
    sets = [list(s) for s in job.parameters[c]]
    labels = [results.observable_label(o) for o in job.observables[c]]
    bounds = [sum(abs(float(x)) for x in o[1]) for o in job.observables[c]]
    values = [[math.nan] * len(sets) for _ in labels]
    errors = [[0.0] * len(sets) for _ in labels]
    for leaf in found:
        # a sweep's leaves all have an observable and a parameter set
        if leaf.circuit == c and leaf.observable is not None and leaf.parameter_set is not None:
            values[leaf.observable][leaf.parameter_set] = leaf.value
            errors[leaf.observable][leaf.parameter_set] = leaf.error or 0.0
    parameter_names = _names_for(job, c, names)
    varying = [i for i in range(len(parameter_names)) if len({s[i] for s in sets}) > 1]
    if len(varying) == 1:
        (i,) = varying
        x, x_label = [s[i] for s in sets], parameter_names[i]
    else:
        x, x_label = [float(n + 1) for n in range(len(sets))], "parameter set"
    grid = None
    if len(varying) == 2:
        a, b = varying
        xs, ys = sorted({s[a] for s in sets}), sorted({s[b] for s in sets})
        pairs = {(s[a], s[b]) for s in sets}
        if len(pairs) == len(sets) == len(xs) * len(ys) and len(xs) > 1 and len(ys) > 1:
            grid = Grid(a, b, parameter_names[a], parameter_names[b], xs, ys)
    return Sweep(c, labels, bounds, values, errors, x, x_label, grid, sets)


def _sweep_lines(plt: Any, job: JobView, sweeps: Sequence[Sweep]) -> Any:
    shown = sweeps[:MAX_SWEEP_PANELS]
    figure, grid = plt.subplots(len(shown), 1, figsize=(9.0, 1.2 + 3.4 * len(shown)), squeeze=False)
    for axes, sweep in zip(grid.flat, shown, strict=True):
        order = sorted(range(len(sweep.x)), key=lambda n: sweep.x[n])
        x = [sweep.x[n] for n in order]
        dense = len(x) > DENSE  # hundreds of points: a line in a band, not a forest of bars
        for label, values, errors in zip(sweep.labels, sweep.values, sweep.errors, strict=True):
            y = [values[n] for n in order]
            e = [errors[n] for n in order]
            # One line per observable; its error bars (or band) in the same colour.
            (line,) = axes.plot(
                x,
                y,
                label=_short(label),
                marker=None if dense else "o",
                markersize=3,
                linewidth=1.0 if dense else 1.4,
            )
            if dense:
                low = [a - b for a, b in zip(y, e, strict=True)]
                high = [a + b for a, b in zip(y, e, strict=True)]
                axes.fill_between(x, low, high, color=line.get_color(), alpha=0.25, linewidth=0)
            else:
                axes.errorbar(x, y, yerr=e, fmt="none", ecolor=line.get_color(), capsize=0)
        axes.axhline(0, color="0.6", linewidth=0.6, zorder=0)
        axes.set_xlabel(sweep.x_label)
        axes.set_ylabel("expectation value ± std. error" + (" (band)" if dense else ""))
        axes.set_title(
            f"circuit {sweep.circuit + 1} ({job.circuit_ids[sweep.circuit]}) · "
            f"{len(x):,} parameter sets",
            fontsize=9,
        )
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=8, loc="best", title="observable", title_fontsize=8)
    title = f"{job.id} on {job.device_id}"
    if len(sweeps) > len(shown):
        title += f" (first {len(shown)} of {len(sweeps)} circuits)"
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return figure


def _heatmaps(plt: Any, job: JobView, sweeps: Sequence[Sweep]) -> Any:
    panels = [(s, o) for s in sweeps for o in range(len(s.labels))]
    shown = panels[:MAX_HEATMAPS]
    columns = min(len(shown), 3)
    rows = math.ceil(len(shown) / columns)
    figure, grid = plt.subplots(
        rows, columns, figsize=(4.6 * columns, 0.6 + 3.9 * rows), squeeze=False
    )
    for axes, (sweep, o) in zip(grid.flat, shown, strict=False):
        cells = sweep.grid
        assert cells is not None
        col = {v: i for i, v in enumerate(cells.xs)}
        row = {v: i for i, v in enumerate(cells.ys)}
        image = [[math.nan] * len(cells.xs) for _ in cells.ys]
        for n, s in enumerate(sweep.sets):
            image[row[s[cells.y]]][col[s[cells.x]]] = sweep.values[o][n]
        # A diverging map over the observable's whole range (±Σ|c|): the sign reads at a
        # glance, and maps of one job share one scale.
        bound = sweep.bounds[o] or 1.0
        mesh = axes.pcolormesh(
            _edges(cells.xs),
            _edges(cells.ys),
            image,
            cmap="RdBu_r",
            vmin=-bound,
            vmax=bound,
            shading="flat",
        )
        figure.colorbar(mesh, ax=axes, label="expectation value")
        axes.set_xlabel(cells.x_name)
        axes.set_ylabel(cells.y_name)
        axes.set_title(f"circuit {sweep.circuit + 1} · {_short(sweep.labels[o])}", fontsize=9)
    for axes in list(grid.flat)[len(shown) :]:
        axes.set_visible(False)
    title = f"{job.id} on {job.device_id}"
    if len(panels) > len(shown):
        title += f" (first {len(shown)} of {len(panels)} maps)"
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return figure


def _edges(centres: Sequence[float]) -> list[float]:
    """Cell edges around sorted centres, so each cell sits on its parameter value."""
    if len(centres) == 1:
        return [centres[0] - 0.5, centres[0] + 0.5]
    middles = [(a + b) / 2 for a, b in pairwise(centres)]
    return [2 * centres[0] - middles[0], *middles, 2 * centres[-1] - middles[-1]]


# -- expectation values without a sweep -------------------------------------------------------


def _expectation_bars(plt: Any, job: JobView, found: Sequence[results.Leaf]) -> Any:
    labels = [_bar_label(job, leaf) for leaf in found]
    values = [leaf.value for leaf in found]
    yerr = [leaf.error or 0.0 for leaf in found]
    shown = min(len(found), 40)
    figure, axes = plt.subplots(figsize=(min(14.0, max(6.0, 0.5 * shown + 2)), 4.8))
    axes.bar(range(shown), values[:shown], yerr=yerr[:shown], capsize=4, color="#4c72b0")
    axes.axhline(0, color="black", linewidth=0.8)
    axes.set_xticks(range(shown), labels[:shown], rotation=30 if shown > 4 else 0, ha="right")
    axes.set_ylabel("expectation value ± std. error")
    title = f"{job.id} on {job.device_id}"
    if shown < len(found):
        title += f" (first {shown} of {len(found)})"
    axes.set_title(title, fontsize=10)
    figure.tight_layout()
    return figure


def _bar_label(job: JobView, leaf: results.Leaf) -> str:
    observable = job.observables[leaf.circuit][leaf.observable or 0]
    label = _short(results.observable_label(observable))
    return f"c{leaf.circuit + 1}: {label}" if len(job.circuit_ids) > 1 else label


# -- distributions -----------------------------------------------------------------------------


def _distributions(
    plt: Any,
    job: JobView,
    found: Sequence[results.Leaf],
    kind: str,
    names: Mapping[str, Sequence[str]],
) -> Any:
    shown = found[:MAX_PANELS]
    columns = min(len(shown), 2 if len(shown) <= 4 else 4)
    rows = math.ceil(len(shown) / columns)
    figure, grid = plt.subplots(rows, columns, figsize=(6 * columns, 3.8 * rows), squeeze=False)
    for axes, leaf in zip(grid.flat, shown, strict=False):
        distribution = results.probabilities(leaf.value) if kind == "statevector" else leaf.value
        top = results.ranked(distribution)[:MAX_BARS]
        top.sort(key=lambda kv: kv[0])  # a histogram reads best in bitstring order
        axes.bar([b for b, _ in top], [v for _, v in top], color="#4c72b0")
        axes.set_ylabel(
            {"statevector": "probability", "quasi": "quasi-probability"}.get(kind, "count")
        )
        axes.set_title(results.leaf_title(job, leaf, names), fontsize=8)
        axes.tick_params(axis="x", rotation=90 if len(top) > 8 else 0)
    for axes in list(grid.flat)[len(shown) :]:
        axes.set_visible(False)
    if len(found) > len(shown):
        figure.suptitle(f"first {len(shown)} of {len(found)} results", fontsize=9)
    figure.tight_layout()
    return figure
