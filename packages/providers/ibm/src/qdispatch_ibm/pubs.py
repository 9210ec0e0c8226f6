"""A job's Sampler PUBs, and their results back into per-executable counts.

One PUB per circuit (plain counts) or per circuit and measurement group (sampled observables),
each carrying every parameter set of its circuit, all in one job: the plan's executables
(circuit → group → parameter set) are the PUBs' parameter sets in order. Never one job per
parameter set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend import JobSpec
from qdispatch_ibm.programs import MEASURED, UNMEASURED, Program, final_measurements


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
