"""Flattening a job into executables, and nesting their outputs back into run contract §5.

An executable is one circuit, bound to one parameter set, measured in one measurement group
(sampled observables) or not at all (counts, statevectors, exact expectation values).
Executables are ordered circuit → group → parameter set, so a sweep's executables sit together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qdispatch_core.domain.enums import RunType
from qdispatch_core.rules.expectation import expectation_from_groups
from qdispatch_core.rules.limits import check_limit
from qdispatch_core.rules.paulis import MeasurementGroup, group_qubit_wise
from qdispatch_core.rules.request_limits import executables_field


@dataclass(frozen=True, slots=True)
class CircuitPlan:
    qubits: int
    parameter_sets: tuple[tuple[float, ...], ...]  # at least one; () when unparameterised
    observables: tuple[list[Any], ...] | None  # canonical observables of this circuit
    groups: tuple[MeasurementGroup, ...] | None  # only for a sampled Run with observables


@dataclass(frozen=True, slots=True)
class Executable:
    index: int
    circuit: int
    group: int | None
    parameter_set: int


@dataclass(frozen=True, slots=True)
class JobPlan:
    run_type: RunType
    shots: int
    circuits: tuple[CircuitPlan, ...]
    has_parameters: bool
    has_observables: bool
    executables: tuple[Executable, ...]
    # The provider computes sampled expectation values itself (e.g. IBM's Estimator with its own
    # error mitigation): no measurement groups, outputs are expectation values with errors.
    estimated_by_provider: bool = False

    @property
    def output_kind(self) -> str:
        """What a backend returns per executable: 'counts', 'statevector' or 'expectations'."""
        if self.run_type is RunType.RUN:
            return "expectations" if self.estimated_by_provider else "counts"
        return "expectations" if self.has_observables else "statevector"

    @property
    def total_shots(self) -> int:
        return self.shots * len(self.executables) if self.run_type is RunType.RUN else 0

    def summary(self) -> dict[str, Any]:
        return {
            "executables": len(self.executables),
            "circuits_executed": len(self.executables),
            "total_shots": self.total_shots,
            "parameter_sets": [len(c.parameter_sets) for c in self.circuits],
            "measurement_groups": [
                len(c.groups) if c.groups is not None else 0 for c in self.circuits
            ],
            "expectations_by": "provider" if self.estimated_by_provider else "qdispatch",
        }


def _circuit_plan(
    run_type: RunType,
    provider_estimates: bool,
    qubits: int,
    sets: list[list[float]] | None,
    observables: list[list[Any]] | None,
) -> CircuitPlan:
    groups = None
    if observables is not None and run_type is RunType.RUN and not provider_estimates:
        groups = tuple(group_qubit_wise(p for obs in observables for p in obs[0]))
    return CircuitPlan(
        qubits=qubits,
        parameter_sets=tuple(tuple(s) for s in sets) if sets is not None else ((),),
        observables=tuple(observables) if observables is not None else None,
        groups=groups,
    )


def build_plan(
    run_type: RunType,
    shots: int,
    qubits: Sequence[int],
    parameters: Sequence[list[list[float]]] | None,
    observables: Sequence[list[list[Any]]] | None,
    *,
    provider_estimates: bool = False,
    max_executables: int | None = None,
) -> JobPlan:
    """Plan a job from canonical parameters/observables (see rules.parameters/observables).

    `provider_estimates`: the backend estimates sampled observables itself (one executable per
    circuit × parameter set, outputs are expectation values); only meaningful for a Run with
    observables. `max_executables`: refuse (400) a plan with more, before building it.
    """
    provider_estimates = provider_estimates and run_type is RunType.RUN and observables is not None
    circuits = tuple(
        _circuit_plan(
            run_type,
            provider_estimates,
            n,
            parameters[c] if parameters is not None else None,
            observables[c] if observables is not None else None,
        )
        for c, n in enumerate(qubits)
    )
    if max_executables is not None:
        count = sum(
            (len(cp.groups) if cp.groups is not None else 1) * len(cp.parameter_sets)
            for cp in circuits
        )
        check_limit(
            executables_field(parameters, observables),
            "executables (circuits × measurement groups × parameter sets)",
            count,
            max_executables,
            "executables",
        )
    executables: list[Executable] = []
    for c, cp in enumerate(circuits):
        # An observable made only of identity terms needs no circuit at all: zero groups.
        group_ids: Sequence[int | None] = range(len(cp.groups)) if cp.groups is not None else [None]
        for g in group_ids:
            for p in range(len(cp.parameter_sets)):
                executables.append(Executable(len(executables), c, g, p))
    return JobPlan(
        run_type=run_type,
        shots=shots,
        circuits=circuits,
        has_parameters=parameters is not None,
        has_observables=observables is not None,
        executables=tuple(executables),
        estimated_by_provider=provider_estimates,
    )


Leaf = Callable[[int, int | None, int], Any]


def _observable(o: int | None) -> int:
    """An observable's index: `nest` passes None only to jobs without observables."""
    assert o is not None
    return o


def nest(plan: JobPlan, leaf: Leaf) -> list[Any]:
    """Build the §5 nesting: circuits → observables (if given) → parameter sets (if given)."""
    out: list[Any] = []
    for c, cp in enumerate(plan.circuits):

        def by_parameters(o: int | None, c: int = c, cp: CircuitPlan = cp) -> Any:
            values = [leaf(c, o, p) for p in range(len(cp.parameter_sets))]
            return values if plan.has_parameters else values[0]

        if plan.has_observables:
            assert cp.observables is not None
            out.append([by_parameters(o) for o in range(len(cp.observables))])
        else:
            out.append(by_parameters(None))
    return out


def iter_leaves(plan: JobPlan, nested: Sequence[Any]) -> Iterator[tuple[int, int | None, int, Any]]:
    """Walk a §5-nested structure, yielding (circuit, observable, parameter set, leaf)."""
    for c, cp in enumerate(plan.circuits):
        per_circuit = nested[c]
        observables = (
            range(len(cp.observables)) if plan.has_observables and cp.observables else [None]
        )
        for o in observables:
            per_obs = per_circuit[o] if o is not None else per_circuit
            for p in range(len(cp.parameter_sets)):
                yield c, o, p, (per_obs[p] if plan.has_parameters else per_obs)


def _index(plan: JobPlan) -> dict[tuple[int, int | None, int], int]:
    return {(e.circuit, e.group, e.parameter_set): e.index for e in plan.executables}


def assemble(
    plan: JobPlan, outputs: Sequence[Any], errors: Sequence[Sequence[float]] | None = None
) -> tuple[list[Any], list[Any] | None]:
    """Turn per-executable outputs into (results, uncertainties) in the §5 nesting.

    Outputs, by `plan.output_kind`: counts dicts; statevectors `[real_parts, imag_parts]`; or
    one list of expectation values per executable (exact runs, and providers that estimate
    observables themselves, whose standard errors come in `errors`, shaped like `outputs`).
    Uncertainties exist only with observables: standard errors, 0 for exact values.
    """
    if len(outputs) != len(plan.executables):
        raise ValueError(f"expected {len(plan.executables)} outputs, got {len(outputs)}")
    at = _index(plan)
    kind = plan.output_kind
    if kind == "counts" and not plan.has_observables:
        return nest(plan, lambda c, o, p: outputs[at[(c, None, p)]]), None
    if kind == "statevector":
        return nest(plan, lambda c, o, p: outputs[at[(c, None, p)]]), None
    if kind == "expectations":
        values = nest(plan, lambda c, o, p: float(outputs[at[(c, None, p)]][_observable(o)]))
        if errors is None:
            return values, nest(plan, lambda c, o, p: 0.0)
        return values, nest(plan, lambda c, o, p: float(errors[at[(c, None, p)]][_observable(o)]))
    estimates = _sampled_estimates(plan, outputs, at)
    return (
        nest(plan, lambda c, o, p: estimates[(c, _observable(o), p)][0]),
        nest(plan, lambda c, o, p: estimates[(c, _observable(o), p)][1]),
    )


def _sampled_estimates(
    plan: JobPlan,
    outputs: Sequence[Mapping[str, float]],
    at: Mapping[tuple[int, int | None, int], int],
) -> dict[tuple[int, int, int], tuple[float, float]]:
    estimates: dict[tuple[int, int, int], tuple[float, float]] = {}
    for c, cp in enumerate(plan.circuits):
        assert cp.groups is not None and cp.observables is not None
        for p in range(len(cp.parameter_sets)):
            counts = [outputs[at[(c, g, p)]] for g in range(len(cp.groups))]
            for o, observable in enumerate(cp.observables):
                estimates[(c, o, p)] = expectation_from_groups(
                    observable, cp.groups, counts, plan.shots
                )
    return estimates
