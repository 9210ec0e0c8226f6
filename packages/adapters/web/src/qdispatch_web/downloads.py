"""A job's results as CSV: one row per leaf value, with where it sits in the nesting.

Columns: circuit (1-based), circuit_id, observable (1-based, empty without observables),
parameter_set (1-based, empty without parameters), parameters (the set's values, JSON),
outcome (a bitstring for counts and state vectors), value (a count, a quasi-probability, a
probability or an expectation value), uncertainty (standard error), raw_count (beside a
mitigated quasi-probability), real and imag (a state vector's amplitude).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from qdispatch_core.schemas import JobView

COLUMNS = (
    "circuit",
    "circuit_id",
    "observable",
    "parameter_set",
    "parameters",
    "outcome",
    "value",
    "uncertainty",
    "raw_count",
    "real",
    "imag",
)


def _sets(job: JobView, c: int, value: Any) -> list[tuple[str, str, Any]]:
    """(parameter_set, parameters, leaf) for each set of circuit c ('' when none given)."""
    if job.parameters is None:
        return [("", "", value)]
    sets = job.parameters[c]
    return [(str(p + 1), json.dumps(sets[p]), leaf) for p, leaf in enumerate(value)]


def rows(job: JobView) -> Iterator[dict[str, Any]]:
    for c, result in enumerate(job.results or []):
        base = {
            "circuit": c + 1,
            "circuit_id": job.circuit_ids[c] if c < len(job.circuit_ids) else "",
        }
        if job.observables is not None:
            for o, per_observable in enumerate(result):
                errors = job.uncertainties[c][o] if job.uncertainties else None
                for i, (p, params, value) in enumerate(_sets(job, c, per_observable)):
                    error = (
                        (errors[i] if job.parameters is not None else errors)
                        if errors is not None
                        else ""
                    )
                    yield {
                        **base,
                        "observable": o + 1,
                        "parameter_set": p,
                        "parameters": params,
                        "value": value,
                        "uncertainty": error,
                    }
            continue
        raws = _sets(job, c, job.raw_results[c]) if job.raw_results is not None else None
        for i, (p, params, leaf) in enumerate(_sets(job, c, result)):
            cell = {**base, "parameter_set": p, "parameters": params}
            if job.run_type == "StatevectorRun":
                real, imag = leaf
                width = max((len(real) - 1).bit_length(), 1)
                for k, (re, im) in enumerate(zip(real, imag, strict=True)):
                    yield {
                        **cell,
                        "outcome": format(k, f"0{width}b"),
                        "value": re * re + im * im,
                        "real": re,
                        "imag": im,
                    }
                continue
            raw = raws[i][2] if raws is not None else {}
            for outcome in sorted(set(leaf) | set(raw)):
                yield {
                    **cell,
                    "outcome": outcome,
                    "value": leaf.get(outcome, 0),
                    "raw_count": raw.get(outcome, 0) if raws is not None else "",
                }


def results_csv(job: JobView) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    for row in rows(job):
        writer.writerow(row)
    return out.getvalue()


def job_json(job: JobView) -> str:
    """The same document as `qdispatch jobs show --json` and the MCP tool's job fields."""
    return job.model_dump_json(indent=2)
