"""`RunResult.plot()`: matplotlib pictures of results (matplotlib: `qdispatch[plot]`).

Figures are made with `matplotlib.figure.Figure`, not pyplot: no global state, no backend to
choose, safe in threads, and a notebook shows the returned figure once.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Any

from qdispatch._lazy import require

if TYPE_CHECKING:
    from qdispatch.results import RunResult

MAX_PANELS = 12  # circuits drawn, one panel each
MAX_BARS = 32  # outcomes in a histogram, most frequent first
MAX_LINES = 8  # outcomes followed across a sweep, most probable first
COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c")


def plot_result(result: RunResult, c: int | None = None, ax: Any = None) -> Any:
    require("matplotlib", "plot()")
    from matplotlib.figure import Figure

    circuits = [c] if c is not None else list(range(result.num_circuits))
    for index in circuits:
        result._circuit(index)  # IndexError for a circuit that is not there
    shown = circuits[:MAX_PANELS]
    if ax is not None:
        if len(shown) != 1:
            raise ValueError("ax= draws one circuit: pass c= as well for a several-circuit job")
        _panel(result, shown[0], ax)
        return ax.figure
    columns = min(len(shown), 3)
    rows = math.ceil(len(shown) / columns)
    figure = Figure(figsize=(6.4 * columns, 4.4 * rows), layout="constrained")
    grid = figure.subplots(rows, columns, squeeze=False)
    for axes, index in zip(grid.flat, shown, strict=False):
        _panel(result, index, axes)
    for axes in list(grid.flat)[len(shown) :]:
        axes.set_visible(False)
    title = f"{result.job.id} on {result.job.device_id}"
    if len(circuits) > len(shown):
        title += f" (first {len(shown)} of {len(circuits)} circuits)"
    figure.suptitle(title, fontsize=10)
    _let_ipython_show(type(figure))
    return figure


def _let_ipython_show(figure_type: type) -> None:
    """In an IPython kernel, have a returned Figure shown as a picture. pyplot does this when
    it is imported there; a Figure made without pyplot would print as `<Figure ...>`. This
    registers IPython's own inline formatter for Figures, unless one is registered already."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    kinds = ("image/png", "image/svg+xml", "image/jpeg", "application/pdf")
    if any(figure_type in formatters[kind].type_printers for kind in kinds if kind in formatters):
        return
    from IPython.core.pylabtools import select_figure_formats

    select_figure_formats(shell, {"png"})


def _panel(result: RunResult, c: int, axes: Any) -> None:
    sweep = result.num_parameter_sets(c) > 1
    if result.kind == "expectation":
        _expectations(result, c, axes) if sweep else _expectation_bars(result, c, axes)
    elif sweep:
        _outcomes_across_sweep(result, c, axes)
    else:
        _histogram(result, c, axes)
    axes.set_title(_circuit_title(result, c), fontsize=9)


def _circuit_title(result: RunResult, c: int) -> str:
    text = f"circuit {c} ({result.job.circuit_ids[c]})"
    if result.has_parameters and result.num_parameter_sets(c) == 1:
        names = result.parameter_names(c)
        values = result.job.parameters[c][0]
        if names and len(names) == len(values):
            text += " · " + ", ".join(f"{n}={v:g}" for n, v in zip(names, values, strict=True))
    return text


def sweep_axis(result: RunResult, c: int) -> tuple[list[float], str]:
    """The x values of circuit `c`'s sweep: the one parameter that varies, else the set index."""
    sets = result.job.parameters[c] if result.has_parameters else [[]]
    names = result.parameter_names(c)
    varying = [k for k in range(len(sets[0])) if len({s[k] for s in sets}) > 1]
    if len(varying) == 1 and len(names) == len(sets[0]):
        k = varying[0]
        return [s[k] for s in sets], names[k]
    return list(range(len(sets))), "parameter set"


def _expectations(result: RunResult, c: int, axes: Any) -> None:
    x, label = sweep_axis(result, c)
    labels = result.observable_labels(c)
    sets = range(result.num_parameter_sets(c))
    for o, name in enumerate(labels):
        values = [result.expectation_value(c, o, p) for p in sets]
        errors = [result.standard_error(c, o, p) for p in sets]
        colour = COLOURS[o % len(COLOURS)]
        axes.errorbar(
            x,
            values,
            yerr=errors,
            label=name,
            color=colour,
            marker="o",
            markersize=3,
            linewidth=1.4,
            capsize=3 if any(errors) else 0,
        )
    axes.axhline(0, color="black", linewidth=0.6)
    axes.set_xlabel(label)
    axes.set_ylabel("expectation value")
    axes.legend(fontsize=8)


def _expectation_bars(result: RunResult, c: int, axes: Any) -> None:
    labels = result.observable_labels(c)
    values = [result.expectation_value(c, o) for o in range(len(labels))]
    errors = [result.standard_error(c, o) for o in range(len(labels))]
    positions = range(len(labels))
    axes.bar(
        positions,
        values,
        yerr=errors,
        capsize=4,
        color=[COLOURS[o % len(COLOURS)] for o in positions],
    )
    axes.axhline(0, color="black", linewidth=0.6)
    axes.set_xticks(
        list(positions),
        labels,
        rotation=30 if len(labels) > 4 else 0,
        ha="right" if len(labels) > 4 else "center",
        fontsize=8,
    )
    axes.set_ylabel("expectation value (± standard error)")


def _distribution(result: RunResult, c: int, p: int) -> tuple[dict[str, float], str]:
    if result.kind == "counts":
        return dict(result.counts(c, p)), "count"
    if result.kind == "quasi":
        return result.quasi_dist(c, p), "quasi-probability"
    return result.probabilities(c, p), "probability"


def _histogram(result: RunResult, c: int, axes: Any) -> None:
    distribution, what = _distribution(result, c, 0)
    top = sorted(distribution.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:MAX_BARS]
    top.sort()  # a histogram reads best in bitstring order
    axes.bar([b for b, _ in top], [v for _, v in top], color=COLOURS[0])
    axes.set_ylabel(what)
    axes.set_xlabel(
        "basis state (rightmost character: qubit 0)"
        if result.kind == "statevector"
        else "outcome (rightmost character: clbit 0)"
    )
    axes.tick_params(axis="x", rotation=90 if len(top) > 8 else 0, labelsize=8)
    if len(distribution) > len(top):
        axes.text(
            0.99,
            0.98,
            f"{len(top)} of {len(distribution)} outcomes",
            ha="right",
            va="top",
            transform=axes.transAxes,
            fontsize=8,
        )


def _outcomes_across_sweep(result: RunResult, c: int, axes: Any) -> None:
    x, label = sweep_axis(result, c)
    sets = range(result.num_parameter_sets(c))
    probabilities = [result.probabilities(c, p) for p in sets]
    peak: dict[str, float] = {}
    for distribution in probabilities:
        for bits, value in distribution.items():
            peak[bits] = max(peak.get(bits, 0.0), value)
    followed = sorted(sorted(peak, key=lambda b: -peak[b])[:MAX_LINES])
    for k, bits in enumerate(followed):
        axes.plot(
            x,
            [d.get(bits, 0.0) for d in probabilities],
            label=bits,
            marker="o",
            markersize=3,
            color=COLOURS[k % len(COLOURS)],
        )
    axes.set_xlabel(label)
    axes.set_ylabel("quasi-probability" if result.kind == "quasi" else "probability")
    axes.legend(fontsize=8, title="outcome", title_fontsize=8)
