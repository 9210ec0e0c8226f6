"""`qdispatch jobs plot`: pictures of results with matplotlib (Agg: no display needed).

Imported only by that command: matplotlib costs a second of start-up that no other command
should pay.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qdispatch_cli import results

if TYPE_CHECKING:
    from qdispatch_core.schemas import JobView

MAX_PANELS = 16  # distributions drawn, one panel each
MAX_BARS = 32  # outcomes per panel, heaviest first


def plot_job(job: JobView, path: Path, names: Mapping[str, Sequence[str]]) -> None:
    """Write a picture of the job's results to `path`; 409 when there are none."""
    from qdispatch_core.errors import Conflict

    if job.results is None:
        why = "it is a dry run" if job.dry_run else f"it is {job.status}"
        raise Conflict(f"job {job.id} has no results to plot: {why}", field="job_id")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    found = results.leaves(job)
    kind = results.kind(job)
    if kind == "expectation":
        figure = _expectations(plt, job, found)
    else:
        figure = _distributions(plt, job, found, kind, names)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _expectations(plt: Any, job: JobView, found: Sequence[results.Leaf]) -> Any:
    labels = [_short_label(job, leaf) for leaf in found]
    values = [leaf.value for leaf in found]
    yerr = [leaf.error or 0.0 for leaf in found]
    figure, axes = plt.subplots(figsize=(max(6.0, 0.6 * len(found) + 2), 4.5))
    axes.bar(range(len(found)), values, yerr=yerr, capsize=4, color="#4c72b0")
    axes.axhline(0, color="black", linewidth=0.8)
    axes.set_xticks(range(len(found)), labels, rotation=45 if len(found) > 6 else 0, ha="right")
    axes.set_ylabel("expectation value (± standard error)")
    axes.set_title(f"{job.id} on {job.device_id}")
    figure.tight_layout()
    return figure


def _short_label(job: JobView, leaf: results.Leaf) -> str:
    parts = [f"c{leaf.circuit + 1}"]
    if leaf.observable is not None:
        parts.append(f"o{leaf.observable + 1}")
    if leaf.parameter_set is not None:
        parts.append(f"p{leaf.parameter_set + 1}")
    return " ".join(parts)


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
