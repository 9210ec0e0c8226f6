"""A job's executables as primitive PUBs: Sampler PUBs (counts, measurement groups) and
Estimator PUBs (observables), and their results back into per-executable outputs.

A job's Sampler PUBs, and their results back into per-executable counts.

One PUB per circuit (plain counts) or per circuit and measurement group (sampled observables),
each carrying every parameter set of its circuit, all in one job: the plan's executables
(circuit → group → parameter set) are the PUBs' parameter sets in order. Never one job per
parameter set.

Estimator PUBs for a job's observables, and their results back into per-executable values.

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
from qdispatch_ibm.programs import MEASURED, UNMEASURED, Program, final_measurements
from qdispatch_ibm.sdk import require


@dataclass(frozen=True, slots=True)
class PubPlan:
    circuit: int  # index in the job
    group: int | None  # measurement group, for sampled observables
    first: int  # index of its first executable
    sets: int  # parameter sets, = executables
    register: str | None  # classical register holding the outputs; None: all, joined
    measured: tuple[int, ...] | None  # physical qubit behind each output bit; None: unknown


def variant(spec: JobSpec, circuit: int) -> str:
    plain = spec.plan.output_kind == "counts" and spec.plan.circuits[circuit].groups is None
    return MEASURED if plain else UNMEASURED


ProgramFor = Callable[[int, str], Program]


def make_pub(program: Program, circuit: Any, sets: Sequence[Sequence[float]]) -> tuple:
    """(circuit,) for a single unparameterised run; else (circuit, values) with one row per
    parameter set (columns in the circuit's parameter order, possibly none left after
    transpiling, in which case every row samples the same circuit independently)."""
    import qdispatch_qiskit

    values = qdispatch_qiskit.parameter_matrix(circuit, program.names, sets)
    if values.shape == (1, 0):
        return (circuit,)
    return (circuit, values)


def _slots(spec: JobSpec) -> list[tuple[int, int | None]]:
    """(circuit, group) of each PUB, in plan order."""
    slots: list[tuple[int, int | None]] = []
    for c, cp in enumerate(spec.plan.circuits):
        groups: Sequence[int | None] = range(len(cp.groups)) if cp.groups is not None else [None]
        slots.extend((c, g) for g in groups)
    return slots


def build_pubs(spec: JobSpec, program_for: ProgramFor, target: Any) -> list[tuple]:
    """The job's PUBs: each circuit's ISA program, measured in a group's basis where the plan
    has groups (the rotations translated into `target`'s native gates, in place), with all of
    the circuit's parameter sets."""
    import qdispatch_qiskit as qk

    pubs = []
    for c, g in _slots(spec):
        cp = spec.plan.circuits[c]
        program = program_for(c, variant(spec, c))
        circuit = program.circuit
        if g is not None:
            basis = cp.groups[g].basis  # type: ignore[index]
            circuit = qk.measure_in_basis(circuit, basis, program.positions)
            circuit = qk.translate_for(circuit, target)
        pubs.append(make_pub(program, circuit, cp.parameter_sets))
    return pubs


def plan_pubs(spec: JobSpec, circuits: Sequence[Any]) -> list[PubPlan]:
    """Where each PUB's outputs go and which qubits produced them, read from the PUB circuits
    themselves (those built here, or those a job submitted before a restart)."""
    slots = _slots(spec)
    if len(circuits) < len(slots):
        raise ProviderError(f"the job has {len(circuits)} PUBs; the plan needs {len(slots)}")
    plans: list[PubPlan] = []
    first = 0
    for (c, g), circuit in zip(slots, circuits, strict=False):
        register = None if g is None else circuit.cregs[-1].name  # measure_in_basis appends it
        measured = final_measurements(circuit, register)
        sets = len(spec.plan.circuits[c].parameter_sets)
        plans.append(PubPlan(c, g, first, sets, register, tuple(measured) if measured else None))
        first += sets
    if first != len(spec.plan.executables):
        raise ProviderError(f"planned {first} executables for {len(spec.plan.executables)}")
    return plans


def pub_circuits(pubs: Sequence[Any]) -> list[Any]:
    """The circuit of each PUB: tuples as built here, or the lists a job's inputs decode to."""
    return [pub.circuit if hasattr(pub, "circuit") else pub[0] for pub in pubs]


def _bits(pub_result: Any, register: str | None) -> Any:
    if register is None:
        return pub_result.join_data()
    return getattr(pub_result.data, register)


def pub_counts(pub_result: Any, plan: PubPlan) -> list[dict[str, int]]:
    """Counts per parameter set, keyed in Qiskit order (rightmost = bit 0)."""
    bits = _bits(pub_result, plan.register)
    if bits.shape == ():
        if plan.sets != 1:
            raise ProviderError(f"a PUB returned one result for {plan.sets} parameter sets")
        return [{k: int(v) for k, v in bits.get_counts().items()}]
    if bits.shape != (plan.sets,):
        raise ProviderError(f"a PUB returned results of shape {bits.shape} for {plan.sets} sets")
    return [{k: int(v) for k, v in bits.get_counts(i).items()} for i in range(plan.sets)]


def decode_counts(result: Any, plans: Sequence[PubPlan]) -> list[dict[str, int]]:
    """One counts dict per executable, in plan order, from the job's first len(plans) PUBs."""
    if len(result) < len(plans):
        raise ProviderError(f"IBM returned {len(result)} PUB results for {len(plans)} PUBs")
    outputs: list[dict[str, int]] = []
    for plan, pub_result in zip(plans, result, strict=False):
        outputs.extend(pub_counts(pub_result, plan))
    return outputs


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
