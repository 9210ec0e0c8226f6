"""`qdispatch jobs export`: a job's results in long format, one row per value, for pandas, R or
a spreadsheet.

Every row names its place in the run contract's nesting (circuit, observable, parameter set)
and the parameter values by name, then the value: an expectation value and its standard error,
or one outcome of a distribution (bitstring and count, quasi-probability, or amplitude).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from qdispatch_cli import results

if TYPE_CHECKING:
    from qdispatch_core.schemas import JobView

PARQUET_HINT = "pip install 'qdispatch-cli[parquet]' (or pip install pyarrow)"

# The value columns of each kind of result.
VALUE_COLUMNS = {
    "expectation": ("value", "std_error"),
    "counts": ("bitstring", "count"),
    "quasi": ("bitstring", "quasi_probability"),
    "statevector": ("basis_state", "amplitude_real", "amplitude_imag", "probability"),
}


@dataclass(frozen=True)
class Rows:
    columns: tuple[str, ...]
    records: list[dict[str, Any]]


def parameter_columns(job: JobView, names: Mapping[str, Sequence[str]]) -> list[str]:
    """Every parameter name of the job's circuits, in first-seen order (`p1`, `p2`, … for a
    circuit whose names are unknown)."""
    if job.parameters is None:
        return []
    found: dict[str, None] = {}
    for c in range(len(job.circuit_ids)):
        found.update(dict.fromkeys(_circuit_names(job, c, names)))
    return list(found)


def _circuit_names(job: JobView, c: int, names: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    known = tuple(names.get(job.circuit_ids[c], ()))
    width = max((len(s) for s in job.parameters[c]), default=0) if job.parameters else 0
    return known if len(known) == width else tuple(f"p{i + 1}" for i in range(width))


def rows(job: JobView, names: Mapping[str, Sequence[str]]) -> Rows:
    """The job's results as long-format records; 409 when it has none."""
    from qdispatch_core.errors import Conflict

    if job.results is None:
        why = "it is a dry run" if job.dry_run else f"it is {job.status}"
        raise Conflict(f"job {job.id} has no results to export: {why}", field="job_id")
    kind = results.kind(job)
    parameters = parameter_columns(job, names)
    columns = ["job_id", "circuit", "circuit_id"]
    if job.observables is not None:
        columns += ["observable", "observable_label"]
    if job.parameters is not None:
        columns += ["parameter_set", *parameters]
    columns += VALUE_COLUMNS[kind]
    records = []
    for leaf in results.leaves(job):
        place = _place(job, leaf, names)
        records += [{**place, **value} for value in _values(kind, leaf)]
    return Rows(tuple(columns), records)


def _place(job: JobView, leaf: results.Leaf, names: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    place: dict[str, Any] = {
        "job_id": job.id,
        "circuit": leaf.circuit + 1,
        "circuit_id": job.circuit_ids[leaf.circuit],
    }
    if leaf.observable is not None:
        observable = job.observables[leaf.circuit][leaf.observable]
        place["observable"] = leaf.observable + 1
        place["observable_label"] = results.observable_label(observable)
    if leaf.parameter_set is not None:
        place["parameter_set"] = leaf.parameter_set + 1
        values = job.parameters[leaf.circuit][leaf.parameter_set]
        place.update(zip(_circuit_names(job, leaf.circuit, names), values, strict=True))
    return place


def _values(kind: str, leaf: results.Leaf) -> list[dict[str, Any]]:
    if kind == "expectation":
        return [{"value": leaf.value, "std_error": leaf.error}]
    if kind == "statevector":
        return [
            {
                "basis_state": state,
                "amplitude_real": amplitude.real,
                "amplitude_imag": amplitude.imag,
                "probability": abs(amplitude) ** 2,
            }
            for state, amplitude in results.basis_states(leaf.value).items()
        ]
    column = VALUE_COLUMNS[kind][1]
    return [{"bitstring": b, column: v} for b, v in sorted(leaf.value.items())]


# -- writing ---------------------------------------------------------------------------------


def write(found: Rows, format_: str, path: Path | None) -> None:
    if format_ == "csv":
        _with_stream(path, lambda f: _csv(found, f), newline="")
    elif format_ == "json":
        _with_stream(path, lambda f: f.write(json.dumps(found.records, indent=1) + "\n"))
    else:
        _parquet(found, path)


def _with_stream(path: Path | None, write_to: Any, newline: str | None = None) -> None:
    if path is None:
        write_to(sys.stdout)
        return
    with path.open("w", encoding="utf-8", newline=newline) as stream:
        write_to(stream)


def _csv(found: Rows, stream: Any) -> None:
    writer = csv.DictWriter(stream, fieldnames=found.columns, extrasaction="raise")
    writer.writeheader()
    writer.writerows(found.records)


def _parquet(found: Rows, path: Path | None) -> None:
    if path is None:
        raise typer.BadParameter(
            "parquet is binary: give a file with --output FILE.parquet", param_hint="--output"
        )
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        from qdispatch_cli import output

        output.error(f"parquet export needs pyarrow: {PARQUET_HINT}")
        raise typer.Exit(1) from None
    # Every column, in order, even where a circuit has no value for it (null).
    table = pa.table({c: [r.get(c) for r in found.records] for c in found.columns})
    pq.write_table(table, path)
