"""`RunResult.to_dataframe()`: results in long format, one row per value."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qdispatch._lazy import require

if TYPE_CHECKING:
    from qdispatch.results import RunResult

FIXED = (
    "circuit",
    "circuit_id",
    "observable",
    "observable_label",
    "parameter_set",
    "outcome",
    "count",
    "quasi_probability",
    "amplitude",
    "probability",
    "value",
    "std_error",
)


def parameter_columns(result: RunResult) -> dict[tuple[int, str], str]:
    """(circuit, parameter name) → column; names that clash with a fixed column get `param:`."""
    columns = {}
    for c in range(result.num_circuits):
        for name in result.parameter_names(c):
            columns[(c, name)] = f"param:{name}" if name in FIXED else name
    return columns


def _parameter_cells(result: RunResult, c: int, p: int, columns: dict) -> dict[str, Any]:
    if not result.has_parameters:
        return {}
    values = result.job.parameters[c][p]
    names = result.parameter_names(c)
    if len(names) != len(values):  # names unknown: one column with the whole set
        return {"parameters": list(values)}
    return {columns[(c, n)]: v for n, v in zip(names, values, strict=True)}


def rows(result: RunResult) -> list[dict[str, Any]]:
    columns = parameter_columns(result)
    found = []
    for c in range(result.num_circuits):
        base = {"circuit": c, "circuit_id": result.job.circuit_ids[c]}
        for p in range(result.num_parameter_sets(c)):
            place = {**base, "parameter_set": p, **_parameter_cells(result, c, p, columns)}
            found.extend(_leaf_rows(result, c, p, place))
    return found


def _leaf_rows(result: RunResult, c: int, p: int, place: dict[str, Any]) -> list[dict]:
    kind = result.kind
    if kind == "expectation":
        labels = result.observable_labels(c)
        return [
            {
                **place,
                "observable": o,
                "observable_label": labels[o],
                "value": result.expectation_value(c, o, p),
                "std_error": result.standard_error(c, o, p),
            }
            for o in range(result.num_observables(c))
        ]
    probabilities = result.probabilities(c, p)
    if kind == "counts":
        counts = result.counts(c, p)
        return [
            {**place, "outcome": b, "count": counts[b], "probability": probabilities[b]}
            for b in sorted(counts)
        ]
    if kind == "quasi":
        return [
            {**place, "outcome": b, "quasi_probability": v, "probability": v}
            for b, v in sorted(probabilities.items())
        ]
    vector = result.statevector(c, p)
    return [
        {**place, "outcome": b, "amplitude": complex(vector.data[int(b, 2)]), "probability": w}
        for b, w in sorted(probabilities.items())
    ]


TRAILING = {
    "expectation": ("value", "std_error"),
    "counts": ("outcome", "count", "probability"),
    "quasi": ("outcome", "quasi_probability", "probability"),
    "statevector": ("outcome", "amplitude", "probability"),
}


def columns(result: RunResult, found: list[dict[str, Any]]) -> list[str]:
    """Where a value sits (circuit, observable, parameter set and its values), then the value."""
    leading = ["circuit", "circuit_id"]
    if result.kind == "expectation":
        leading += ["observable", "observable_label"]
    leading.append("parameter_set")
    parameters = list(dict.fromkeys(parameter_columns(result).values()))
    if any("parameters" in row for row in found):
        parameters.append("parameters")
    return leading + parameters + list(TRAILING[result.kind])


def dataframe(result: RunResult) -> Any:
    pandas = require("pandas", "to_dataframe()")
    found = rows(result)
    return pandas.DataFrame(found, columns=columns(result, found))
