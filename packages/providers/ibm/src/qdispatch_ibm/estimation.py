"""Estimator PUBs for a job's observables, and their results back into per-executable values.

One PUB per circuit: its ISA circuit without final measurements, its observables mapped through
the transpiler's layout (`apply_layout`) as a column (observables, 1) and its parameter sets as
rows (sets, parameters), which the Estimator broadcasts to evs[observable, set]. The plan's
executables (circuit → parameter set) are the columns of each PUB's result, in order.

Two estimators take these PUBs: IBM's `EstimatorV2` on cloud QPUs (sampled; its own grouping of
the observables, and its own error mitigation by `resilience_level`) and Aer's exact estimator
on the fake backends' noisy states (`StatevectorRun`, see exact.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend import JobSpec
from qdispatch_ibm.programs import Program
from qdispatch_ibm.pubs import PubPlan, make_pub
from qdispatch_ibm.sdk import require

# The runtime programs a cloud job runs (RuntimeJobV2.primitive_id).
SAMPLER = "sampler"
ESTIMATOR = "estimator"

# Level 2's zero-noise extrapolation runs every circuit at these noise factors (the runtime's
# ZneOptions default), its two-qubit gates folded to amplify their noise.
ZNE_NOISE_FACTORS = (1, 3, 5)
# What each resilience level does on IBM's side (IBM's "Configure error mitigation" guide).
LEVEL_METHODS = {
    1: "TREX (twirled readout error extinction)",
    2: "TREX, zero-noise extrapolation (two-qubit gate folding at noise factors "
    f"{', '.join(map(str, ZNE_NOISE_FACTORS))}) and gate twirling",
}


def estimator_pub(program: Program, observables: Sequence[Sequence[Any]], sets: Sequence) -> tuple:
    import qdispatch_qiskit as qk

    layout = program.circuit.layout
    operators = [qk.sparse_pauli_op(o) for o in observables]
    if layout is not None:
        operators = [op.apply_layout(layout) for op in operators]
    pub = make_pub(program, program.circuit, sets)
    column = [[op] for op in operators]  # (observables, 1) against (sets,): evs[o, set]
    return (pub[0], column, *pub[1:])


def estimator_pubs(spec: JobSpec, program_for: Callable[[int], Program]) -> list[tuple]:
    """One PUB per circuit; `program_for(c)` is circuit c's ISA program without measurements."""
    return [
        estimator_pub(program_for(c), cp.observables or (), cp.parameter_sets)
        for c, cp in enumerate(spec.plan.circuits)
    ]


def estimator_options(shots: int, resilience_level: int) -> dict[str, Any]:
    """EstimatorV2 options. `default_shots` is, in IBM's words, the shots "per circuit per
    configuration" (a parameter set in one measurement basis): what a sampled Run's shots mean
    for the groups qdispatch measures itself; it overrides the default precision. The level is
    always sent: IBM's own default is 1, so leaving it out would mitigate unasked."""
    return {"default_shots": int(shots), "resilience_level": int(resilience_level)}


@dataclass(frozen=True, slots=True)
class Estimates:
    values: list[list[float]]  # per executable, one per observable
    errors: list[list[float]]  # standard errors, shaped like values


def _per_set(array: Any, count: int, sets: int, what: str) -> list[list[float]]:
    np = require("numpy")
    flat = np.asarray(array, dtype=float)
    if flat.size != count * sets:
        raise ProviderError(
            f"the estimator returned {what} of shape {flat.shape} for {count} observables × "
            f"{sets} parameter sets"
        )
    grid = flat.reshape(count, sets)
    return [grid[:, p].tolist() for p in range(sets)]


def decode_estimates(result: Any, spec: JobSpec) -> Estimates:
    """Values and standard errors per executable, in plan order, one PUB result per circuit."""
    circuits = spec.plan.circuits
    if len(result) < len(circuits):
        raise ProviderError(
            f"the estimator returned {len(result)} results for {len(circuits)} PUBs"
        )
    values: list[list[float]] = []
    errors: list[list[float]] = []
    for cp, pub_result in zip(circuits, result, strict=False):
        count, sets = len(cp.observables or ()), len(cp.parameter_sets)
        data = pub_result.data
        values.extend(_per_set(data.evs, count, sets, "values"))
        errors.extend(_per_set(data.stds, count, sets, "standard errors"))
    return Estimates(values, errors)


def decode_pieces(result: Any, spec: JobSpec, plans: Sequence[PubPlan]) -> list[list[float]]:
    """Values per executable of PUB pieces (a shard's slices of the per-circuit PUBs)."""
    if len(result) < len(plans):
        raise ProviderError(f"the estimator returned {len(result)} results for {len(plans)} PUBs")
    values: list[list[float]] = []
    for plan, pub_result in zip(plans, result, strict=False):
        count = len(spec.plan.circuits[plan.circuit].observables or ())
        values.extend(_per_set(pub_result.data.evs, count, plan.sets, "values"))
    return values


def exact_plans(spec: JobSpec) -> list[PubPlan]:
    """Where each per-circuit estimator PUB's executables sit in the plan. Its circuit
    measures nothing (measured: no output bits)."""
    plans, first = [], 0
    for c, cp in enumerate(spec.plan.circuits):
        plans.append(PubPlan(c, None, first, len(cp.parameter_sets), None, ()))
        first += len(cp.parameter_sets)
    return plans


def mitigation_record(resilience_level: int, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    """What IBM's Estimator applied, as the job records it (run contract §7)."""
    record: dict[str, Any] = {
        "applied": True,
        "method": f"IBM Estimator resilience_level {resilience_level}: "
        f"{LEVEL_METHODS[resilience_level]}",
        "resilience_level": resilience_level,
        "applied_by": "IBM Quantum, server side",
        "outputs": "mitigated expectation values; uncertainties are IBM's standard errors",
        "uncertainties": "the standard errors IBM's Estimator reports (its `stds`), which "
        "include the spread its mitigation adds",
    }
    reported = (metadata or {}).get("resilience")
    if isinstance(reported, Mapping):  # what IBM says it did, when its result says it
        record["reported_by_ibm"] = {str(k): v for k, v in reported.items()}
    return record
