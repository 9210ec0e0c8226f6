"""Classical facts about a job on a device: PUB timings for the cost estimate, transpiled
circuit facts for dry runs, and where each circuit was placed.

For an Estimator job the circuits IBM will run are not known in advance (the Estimator groups
the observables itself, and its mitigation adds circuits); they are estimated as described in
`estimator_timings`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from qdispatch_core.ports.backend import JobSpec
from qdispatch_core.rules.paulis import MeasurementGroup, group_qubit_wise
from qdispatch_core.rules.plan import CircuitPlan
from qdispatch_ibm import calibration, mitigation, pubs
from qdispatch_ibm.estimation import ZNE_NOISE_FACTORS
from qdispatch_ibm.pricing import PubTiming
from qdispatch_ibm.programs import UNMEASURED, Program

ProgramFor = Callable[[int, str], Program]


def rep_delay(backend: Any) -> float | None:
    """The backend's default repetition delay in seconds, when it publishes one."""
    value = getattr(backend.configuration(), "default_rep_delay", None)
    return float(value) if value is not None else None


def _duration(circuit: Any, target: Any) -> float:
    return float(circuit.estimate_duration(target, unit="s"))


def pub_timings(spec: JobSpec, program_for: ProgramFor, target: Any) -> list[PubTiming]:
    """What the QPU will run: every PUB of the job (calibration PUBs included when mitigation
    may add them), its executions and its scheduled duration."""
    built = pubs.build_pubs(spec, program_for, target)
    plans = pubs.plan_pubs(spec, [p[0] for p in built])
    timings = [
        PubTiming(spec.shots * plan.sets, _duration(pub[0], target))
        for plan, pub in zip(plans, built, strict=True)
    ]
    if spec.use_mitigation:  # an upper bound: a fresh cached calibration makes them unneeded
        qubits = mitigation.measured_qubits(plans)
        for pub in calibration.calibration_pubs(target.num_qubits, qubits) if qubits else []:
            timings.append(PubTiming(spec.shots, _duration(pub[0], target)))
    return timings


def estimator_groups(cp: CircuitPlan) -> list[MeasurementGroup]:
    """The qubit-wise-commuting groups the core would measure for this circuit's observables:
    our stand-in for the measurement bases IBM's Estimator will choose."""
    return group_qubit_wise(p for observable in cp.observables or () for p in observable[0])


def estimated_circuits(spec: JobSpec) -> int:
    """Circuits (measurement bases × parameter sets) the Estimator is assumed to run."""
    return sum(len(estimator_groups(cp)) * len(cp.parameter_sets) for cp in spec.plan.circuits)


def estimator_timings(
    spec: JobSpec, program_for: ProgramFor, target: Any, resilience_level: int
) -> list[PubTiming]:
    """What IBM's Estimator will run, as far as it can be known before submission.

    Each circuit is measured in the bases of `estimator_groups`, `shots` times per parameter set
    (the Estimator's `default_shots` is per basis and parameter set). Level 2's zero-noise
    extrapolation runs each of them once per noise factor, its duration scaled by the factor (an
    upper bound: only two-qubit gates are folded). TREX (levels 1 and 2) adds readout-learning
    circuits on the measured qubits, about `shots` executions in all.
    """
    import qdispatch_qiskit as qk

    factors = ZNE_NOISE_FACTORS if resilience_level >= 2 else (1,)
    timings: list[PubTiming] = []
    measured: set[int] = set()
    for c, cp in enumerate(spec.plan.circuits):
        program = program_for(c, UNMEASURED)
        measured.update(program.positions)
        for group in estimator_groups(cp):
            circuit = qk.measure_in_basis(program.circuit, group.basis, program.positions)
            duration = _duration(qk.translate_for(circuit, target), target)
            executions = spec.shots * len(cp.parameter_sets)
            timings.extend(PubTiming(executions, duration * f) for f in factors)
    if resilience_level >= 1 and measured:
        _, excited = calibration.calibration_pubs(target.num_qubits, sorted(measured))
        timings.append(PubTiming(spec.shots, _duration(excited[0], target)))
    return timings


def circuit_facts(index: int, program: Program, target: Any) -> dict[str, Any]:
    circuit = program.circuit
    facts: dict[str, Any] = {
        "index": index,
        "transpiled_depth": circuit.depth(),
        "transpiled_2q_gates": circuit.num_nonlocal_gates(),
        "physical_qubits": list(program.positions),
    }
    try:
        facts["duration_us"] = round(_duration(circuit, target) * 1e6, 3)
    except Exception:  # the oldest snapshots publish no gate durations
        facts["duration_us"] = None
    return facts


def layout_note(device_id: str, spec: JobSpec, program_for: ProgramFor) -> str:
    placed: Sequence[str] = [
        f"circuit {c + 1} on qubits {list(program_for(c, pubs.variant(spec, c)).positions)}"
        for c in range(len(spec.circuits))
    ]
    return f"transpiled for {device_id}: " + "; ".join(placed)
