"""A job's results as charts: histograms of counts (raw beside mitigated), state-vector
probabilities, expectation values per observable, against a parameter, or as a heat map over a
two-parameter grid.

Results are nested circuits → observables → parameter sets (run contract §5), each inner layer
present only when the request had it; this module walks that nesting once per circuit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from qdispatch_core.domain import Circuit
from qdispatch_core.schemas import JobView
from qdispatch_web.charts import Series, bar_chart, heat_map, line_chart

MAX_OUTCOMES = 24  # bars in one histogram; the rest are summed up in a note
MAX_HISTOGRAMS = 12  # per job: a sweep of counts has one per parameter set
MAX_GRID_CELLS = 4096


@dataclass(frozen=True, slots=True)
class Panel:
    title: str
    chart: Markup
    note: str = ""


def observable_label(observable: Sequence[Any], limit: int = 40) -> str:
    """`[["ZZ", "XX"], [1, 0.5]]` → "ZZ + 0.5·XX"."""
    paulis, coefficients = observable
    terms = []
    for p, c in zip(paulis, coefficients, strict=False):
        c = float(c)
        terms.append(p if c == 1 else f"−{p}" if c == -1 else f"{c:g}·{p}")
    text = " + ".join(terms).replace("+ −", "− ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _circuit_name(circuits: Sequence[Circuit], index: int) -> str:
    name = circuits[index].name if index < len(circuits) else ""
    return f"circuit {index + 1}" + (f" ({name})" if name else "")


def _per_set(value: Any, has_parameters: bool) -> list[Any]:
    return list(value) if has_parameters else [value]


def result_panels(job: JobView, circuits: Sequence[Circuit]) -> list[Panel]:
    if job.results is None:
        return []
    panels: list[Panel] = []
    for c, result in enumerate(job.results):
        if job.observables is not None:
            panels += _expectation_panels(job, circuits, c)
        elif job.run_type == "StatevectorRun":
            panels += _statevector_panels(job, circuits, c, result)
        else:
            panels += _count_panels(job, circuits, c, result)
    return panels


# -- counts ----------------------------------------------------------------------------------


def _probabilities(leaf: dict[str, float]) -> dict[str, float]:
    total = sum(leaf.values()) or 1.0
    return {k: v / total for k, v in leaf.items()}


def _top(keys: set[str], weight: dict[str, float]) -> list[str]:
    ranked = sorted(keys, key=lambda k: (-weight.get(k, 0.0), k))[:MAX_OUTCOMES]
    return sorted(ranked)


def _count_panels(job: JobView, circuits: Sequence[Circuit], c: int, result: Any) -> list[Panel]:
    has_parameters = job.parameters is not None
    mitigated = job.raw_results is not None
    raws = _per_set(job.raw_results[c], has_parameters) if mitigated else []
    panels: list[Panel] = []
    for p, leaf in enumerate(_per_set(result, has_parameters)):
        if len(panels) >= MAX_HISTOGRAMS:
            break
        title = _circuit_name(circuits, c) + (f", parameter set {p + 1}" if has_parameters else "")
        if mitigated:
            raw = _probabilities(raws[p])
            quasi = {k: float(v) for k, v in leaf.items()}
            keys = _top(
                set(raw) | set(quasi),
                {k: max(raw.get(k, 0), quasi.get(k, 0)) for k in set(raw) | set(quasi)},
            )
            series = [
                Series("raw", [raw.get(k, 0.0) for k in keys]),
                Series("mitigated", [quasi.get(k, 0.0) for k in keys]),
            ]
            y_label, shown = "probability", set(raw) | set(quasi)
        else:
            keys = _top(set(leaf), leaf)
            series = [Series("counts", [float(leaf[k]) for k in keys])]
            y_label, shown = "counts", set(leaf)
        note = _hidden_note(len(shown) - len(keys))
        chart = bar_chart(keys, series, title=f"{title}: outcomes", y_label=y_label)
        panels.append(Panel(title, chart, note))
    return panels


def _hidden_note(hidden: int) -> str:
    if hidden <= 0:
        return ""
    return (
        f"{hidden} rarer outcome{'s' if hidden != 1 else ''} not drawn; all are in the downloads."
    )


# -- state vectors ---------------------------------------------------------------------------


def _statevector_panels(
    job: JobView, circuits: Sequence[Circuit], c: int, result: Any
) -> list[Panel]:
    has_parameters = job.parameters is not None
    panels: list[Panel] = []
    for p, (real, imag) in enumerate(_per_set(result, has_parameters)):
        if len(panels) >= MAX_HISTOGRAMS:
            break
        width = max((len(real) - 1).bit_length(), 1)
        probabilities = {
            format(i, f"0{width}b"): r * r + m * m
            for i, (r, m) in enumerate(zip(real, imag, strict=True))
        }
        nonzero = {k: v for k, v in probabilities.items() if v > 1e-12}
        keys = _top(set(nonzero) or set(probabilities), probabilities)
        title = _circuit_name(circuits, c) + (f", parameter set {p + 1}" if has_parameters else "")
        chart = bar_chart(
            keys,
            [Series("probability", [probabilities[k] for k in keys])],
            title=f"{title}: state-vector probabilities",
            y_label="probability",
        )
        panels.append(Panel(title, chart, _hidden_note(len(nonzero) - len(keys))))
    return panels


# -- expectation values ----------------------------------------------------------------------


def _parameter_names(circuits: Sequence[Circuit], c: int) -> tuple[str, ...]:
    return circuits[c].analytics.parameter_names if c < len(circuits) else ()


def _grid(sets: Sequence[Sequence[float]]) -> tuple[list[float], list[float]] | None:
    """The axes when two-parameter sets cover a full grid (each pair once), else None."""
    if len(sets) < 4 or any(len(s) != 2 for s in sets):
        return None
    xs, ys = sorted({s[0] for s in sets}), sorted({s[1] for s in sets})
    pairs = {(s[0], s[1]) for s in sets}
    if len(xs) < 2 or len(ys) < 2 or len(xs) * len(ys) != len(sets) or len(pairs) != len(sets):
        return None
    return (xs, ys) if len(sets) <= MAX_GRID_CELLS else None


def _expectation_panels(job: JobView, circuits: Sequence[Circuit], c: int) -> list[Panel]:
    observables = job.observables[c]
    labels = [observable_label(o) for o in observables]
    values, errors = job.results[c], job.uncertainties[c] if job.uncertainties else None
    name = _circuit_name(circuits, c)
    if job.parameters is None:
        bars = Series(
            "expectation value",
            [float(v) for v in values],
            [float(e) for e in errors] if errors else None,
        )
        chart = bar_chart(labels, [bars], title=f"{name}: expectation values", y_label="⟨O⟩")
        return [Panel(name, chart)]
    sets = job.parameters[c]
    names = _parameter_names(circuits, c)
    grid = _grid(sets) if len(names) == 2 else None
    if grid is not None:
        return [
            _heat_panel(name, label, names, sets, grid, values[o]) for o, label in enumerate(labels)
        ]
    if len(names) == 1:
        xs, x_label = [float(s[0]) for s in sets], names[0]
    else:
        xs, x_label = [float(i + 1) for i in range(len(sets))], "parameter set"
    series = [
        Series(
            label, [float(v) for v in values[o]], [float(e) for e in errors[o]] if errors else None
        )
        for o, label in enumerate(labels)
    ]
    chart = line_chart(
        xs, series, title=f"{name}: expectation values", x_label=x_label, y_label="⟨O⟩"
    )
    return [Panel(name, chart)]


def _heat_panel(name, label, names, sets, grid, values) -> Panel:
    xs, ys = grid
    at = {(s[0], s[1]): float(v) for s, v in zip(sets, values, strict=True)}
    cells = [[at[(x, y)] for x in xs] for y in ys]
    title = f"{name}: ⟨{label}⟩"
    chart = heat_map(xs, ys, cells, title=title, x_label=names[0], y_label=names[1])
    return Panel(title, chart)
