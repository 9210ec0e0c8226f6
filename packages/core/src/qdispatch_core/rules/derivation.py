"""Results derived from what a provider returned per executable, at the job's end and again
later from storage (`jobs recompute`, issue 23)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qdispatch_core.rules.plan import JobPlan, assemble
from qdispatch_core.rules.readout_errors import expand_rates, uncertainties_of


def kept_outputs(
    plan: JobPlan, outputs: Sequence[Any], raw_outputs: Sequence[Any] | None
) -> dict[str, Any] | None:
    """What a job keeps of its provider's outputs to derive its results again: the
    per-executable counts of sampled observables, corrected and raw (the only results computed
    from outputs rather than being them; other jobs' results are their outputs)."""
    if not (plan.output_kind == "counts" and plan.has_observables):
        return None
    return {
        "outputs": [dict(o) for o in outputs],
        "raw_outputs": [dict(o) for o in raw_outputs] if raw_outputs is not None else None,
    }


def derive(
    plan: JobPlan, kept: Mapping[str, Any], mitigation: dict[str, Any] | None
) -> tuple[Any, Any, Any, dict[str, Any] | None]:
    """(results, uncertainties, raw_results, mitigation) from kept outputs and the stored
    mitigation record (whose `correction` holds the readout rates the outputs were corrected
    with)."""
    outputs, raw = kept["outputs"], kept.get("raw_outputs")
    correction = (mitigation or {}).get("correction")
    readout = expand_rates(correction) if correction else None
    results, uncertainties = assemble(plan, outputs)
    uncertainties, mitigation = uncertainties_of(plan, uncertainties, mitigation, raw, readout)
    raw_results = assemble(plan, raw)[0] if raw else None
    return results, uncertainties, raw_results, mitigation
