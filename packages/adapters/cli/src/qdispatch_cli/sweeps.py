"""Sweeps as tables a researcher reads: one row per parameter set, one column per observable.

Expectation values pivot: each row is a parameter set (its number and its values, named by
the circuit's parameter names), each column an observable (value ± standard error), with a
legend naming each observable once. Circuits that share their observables and parameter
names share one table (with a circuit column). Distributions with many parameter sets get one
row per set with the heaviest outcomes. Long tables show their head and tail, with a row that
says how many were left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qdispatch_cli import output
from qdispatch_cli.results import (
    Leaf,
    observable_label,
    probabilities,
    ranked,
)

if TYPE_CHECKING:
    from rich.table import Table

    from qdispatch_core.schemas import JobView

HEAD = 15  # rows shown before the gap in a long table
TAIL = 5  # rows shown after it
TOP_OUTCOMES = 3  # outcomes per row of a distribution sweep


@dataclass
class Group:
    """Circuits shown in one table: the same observables and parameter names."""

    circuits: list[int]
    observables: list[str]  # labels, in the job's order
    names: tuple[str, ...]
    rows: list[tuple[int, int | None]] = field(default_factory=list)  # (circuit, set)


def _names(job: JobView, c: int, names: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    if job.parameters is None:
        return ()
    found = tuple(names.get(job.circuit_ids[c], ()))
    width = max((len(s) for s in job.parameters[c]), default=0)
    return found if len(found) == width else tuple(f"p{i + 1}" for i in range(width))


def groups(job: JobView, names: Mapping[str, Sequence[str]]) -> list[Group]:
    """Consecutive circuits with the same observables and parameter names, grouped."""
    found: list[Group] = []
    for c in range(len(job.results or [])):
        labels = (
            [observable_label(o) for o in job.observables[c]] if job.observables is not None else []
        )
        circuit_names = _names(job, c, names)
        if found and found[-1].observables == labels and found[-1].names == circuit_names:
            group = found[-1]
            group.circuits.append(c)
        else:
            group = Group([c], labels, circuit_names)
            found.append(group)
        sets = len(job.parameters[c]) if job.parameters is not None else 0
        group.rows += [(c, p) for p in range(sets)] if sets else [(c, None)]
    return found


def shown_rows(count: int, all_rows: bool) -> tuple[list[int], int]:
    """The row indices to show and how many are left out (head and tail of a long table)."""
    if all_rows or count <= HEAD + TAIL + 1:
        return list(range(count)), 0
    return [*range(HEAD), *range(count - TAIL, count)], count - HEAD - TAIL


def _number(value: float) -> str:
    return f"{value:.6g}"


def _cell(value: float, error: float | None, exact: bool) -> str:
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return "—"
    if exact:
        return f"{value:+.6f}"
    shown = "—" if error is None or not math.isfinite(error) else f"{error:.4f}"
    return f"{value:+.4f} ± {shown}"


def _base_table(group: Group, several: bool, extra: Sequence[str]) -> Table:
    from rich.table import Table

    t = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
    if several:
        t.add_column("circuit", no_wrap=True, justify="right")
    t.add_column("set", no_wrap=True, justify="right")
    for name in group.names:
        t.add_column(output.clean(name), no_wrap=True, justify="right")
    for header in extra:
        t.add_column(header, no_wrap=True, justify="right")
    return t


def _row_start(job: JobView, circuit: int, p: int | None, several: bool) -> list[str]:
    cells = [str(circuit + 1)] if several else []
    cells.append(str(p + 1) if p is not None else "—")
    if p is not None:
        cells += [_number(v) for v in job.parameters[circuit][p]]
    return cells


def _gap_row(t: Table) -> None:
    """A row of vertical ellipses where rows were left out (the count is printed below)."""
    t.add_row(*["⋮"] * len(t.columns))


def expectation_tables(
    job: JobView, leaves: Sequence[Leaf], names: Mapping[str, Sequence[str]], all_rows: bool
) -> list[tuple[str, Table, int]]:
    """(title with legend, table, rows left out) per group of circuits."""
    by_place = {(leaf.circuit, leaf.observable, leaf.parameter_set): leaf for leaf in leaves}
    exact = job.run_type == "StatevectorRun"
    made = []
    for group in groups(job, names):
        several = len(group.circuits) > 1
        headers = [f"O{i + 1}" for i in range(len(group.observables))]
        t = _base_table(group, several, headers)
        indices, left_out = shown_rows(len(group.rows), all_rows)
        for position, i in enumerate(indices):
            if left_out and position == HEAD:
                _gap_row(t)
            circuit, p = group.rows[i]
            cells = _row_start(job, circuit, p, several)
            for o in range(len(group.observables)):
                leaf = by_place[(circuit, o, p)]
                cells.append(_cell(leaf.value, leaf.error, exact))
            t.add_row(*cells)
        made.append((_legend(job, group, exact), t, left_out))
    return made


def _legend(job: JobView, group: Group, exact: bool) -> str:
    which = ", ".join(f"{c + 1} ({job.circuit_ids[c]})" for c in group.circuits)
    circuits = f"circuit{'s' if len(group.circuits) > 1 else ''} {which}"
    what = "exact expectation values" if exact else "expectation value ± std. error"
    observables = "\n".join(
        f"  O{i + 1} = {output.clean(label)}" for i, label in enumerate(group.observables)
    )
    return f"{circuits}: {what}\n{observables}"


def distribution_tables(
    job: JobView,
    leaves: Sequence[Leaf],
    kind: str,
    names: Mapping[str, Sequence[str]],
    all_rows: bool,
) -> list[tuple[str, Table, int]]:
    """A distribution sweep: one row per parameter set with its heaviest outcomes."""
    by_place = {(leaf.circuit, leaf.parameter_set): leaf for leaf in leaves}
    made = []
    for group in groups(job, names):
        several = len(group.circuits) > 1
        t = _base_table(group, several, [])
        t.add_column("top outcomes", no_wrap=True)
        indices, left_out = shown_rows(len(group.rows), all_rows)
        for position, i in enumerate(indices):
            if left_out and position == HEAD:
                _gap_row(t)
            circuit, p = group.rows[i]
            leaf = by_place[(circuit, p)]
            cells = _row_start(job, circuit, p, several)
            t.add_row(*cells, top_outcomes(leaf.value, kind))
        which = ", ".join(f"{c + 1} ({job.circuit_ids[c]})" for c in group.circuits)
        unit = {"statevector": "probability", "quasi": "quasi-probability"}.get(kind, "share")
        title = f"circuit{'s' if several else ''} {which}: heaviest outcomes ({unit})"
        made.append((title, t, left_out))
    return made


def top_outcomes(value: Any, kind: str) -> str:
    distribution = probabilities(value) if kind == "statevector" else value
    total = sum(distribution.values()) or 1
    top = ranked(distribution)[:TOP_OUTCOMES]
    if kind == "quasi":
        parts = [f"{output.clean(str(b))} {v:.3f}" for b, v in top]
    else:
        share = (lambda v: v) if kind == "statevector" else (lambda v: v / total)
        parts = [f"{output.clean(str(b))} {share(v):.1%}" for b, v in top]
    rest = len(distribution) - len(top)
    return "  ".join(parts) + (f"  (+{rest} more)" if rest > 0 else "")
