"""Parameter sets (run contract §4): every accepted input shape, normalised to one canonical form.

Canonical form: one entry per circuit, each a non-empty list of parameter sets, each set a list
of floats in the circuit's `parameter_names` order. An unparameterised circuit has one empty set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules._shapes import (
    as_finite,
    describe,
    is_number,
    is_seq,
    quote,
    split_per_circuit,
)

Canonical = list[list[list[float]]]

ACCEPTED_SHAPES = (
    "accepted shapes for `parameters`: for one circuit, a single set [0.1, 0.2] or "
    '{"theta": 0.1}, or a list of sets [[0.1, 0.2], [0.3, 0.4]]; for several circuits, a list '
    "with exactly one entry per circuit, each entry as for one circuit (an unparameterised "
    "circuit takes []). Values bind in each circuit's parameter_names order."
)


def _is_set(x: Any) -> bool:
    return isinstance(x, dict) or (is_seq(x) and all(is_number(v) for v in x))


def _is_set_list(x: Any) -> bool:
    return is_seq(x) and len(x) > 0 and all(_is_set(s) for s in x)


def _entry_sets(entry: Any) -> list[Any] | None:
    """The parameter sets of one circuit's entry, or None when the entry fits no shape."""
    if _is_set(entry):
        return [entry]
    if _is_set_list(entry):
        return list(entry)
    return None


def _finite(value: Any, where: str) -> float:
    number = as_finite(value)
    if number is None:
        raise BadRequest(
            f"{where}: expected a finite real number, got {describe(value)}", field=where
        )
    return number


def _bind_set(raw_set: Any, names: Sequence[str], where: str, circuit_no: int) -> list[float]:
    if isinstance(raw_set, dict):
        missing = [n for n in names if n not in raw_set]
        unknown = sorted(str(k) for k in raw_set if k not in names)
        if missing or unknown:
            parts = []
            if missing:
                parts.append(f"missing {_listed(missing)}")
            if unknown:
                parts.append(f"unknown {_listed(unknown)}")
            raise BadRequest(
                f"{where}: {'; '.join(parts)}; circuit {circuit_no} takes parameters "
                f"{_names(names)}",
                field=where,
            )
        return [_finite(raw_set[n], f"{where}[{quote(n)}]") for n in names]
    if len(raw_set) != len(names):
        raise BadRequest(
            f"{where}: expected {len(names)} value(s) for circuit {circuit_no}'s parameters "
            f"{_names(names)} (in this order), got {len(raw_set)}",
            field=where,
        )
    return [_finite(v, f"{where}[{k}]") for k, v in enumerate(raw_set)]


def _listed(names: Sequence[str], shown: int = 8) -> str:
    """Parameter names for an error: each quoted short, at most `shown` of them."""
    listed = ", ".join(quote(n, 40) for n in list(names)[:shown])
    return listed + (f", … ({len(names)} in all)" if len(names) > shown else "")


def _names(names: Sequence[str]) -> str:
    return f"[{_listed(names)}]"


def normalize_parameters(raw: Any, parameter_names: Sequence[Sequence[str]]) -> Canonical | None:
    """Check `raw` against the circuits' parameter names and return the canonical form.

    `parameter_names` holds one name list per circuit, in run order. Returns None when `raw` is
    None and no circuit has parameters.
    """
    if raw is None:
        for i, names in enumerate(parameter_names):
            if names:
                raise BadRequest(
                    f"parameters: circuit {i + 1} has parameters {_names(names)} but no values "
                    "were given; pass `parameters`",
                    field="parameters",
                )
        return None
    per_circuit = split_per_circuit(
        raw, len(parameter_names), _entry_sets, "parameters", ACCEPTED_SHAPES
    )
    canonical: Canonical = []
    for i, (sets, names) in enumerate(zip(per_circuit, parameter_names, strict=True)):
        if not names and any(len(s) for s in sets):
            raise BadRequest(
                f"parameters[{i}]: circuit {i + 1} has no parameters but values were given; "
                "give it [] (one empty set)",
                field=f"parameters[{i}]",
            )
        canonical.append(
            [_bind_set(s, names, f"parameters[{i}][{j}]", i + 1) for j, s in enumerate(sets)]
        )
    return canonical
