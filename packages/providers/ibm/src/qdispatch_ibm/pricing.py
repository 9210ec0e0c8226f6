"""IBM Quantum prices and what a job will use on a device: quantum seconds from PUB timings,
transpiled circuit facts for dry runs, and where each circuit was placed.

IBM Quantum prices, and the quantum seconds a job will use.

IBM bills the time a QPU is locked for a job ("quantum seconds", `usage` in the job's metrics).
Before submission we estimate it from what the QPU will do: every PUB runs `shots` times per
parameter set, and each execution takes the circuit's scheduled duration (from the target's
instruction durations) plus the backend's repetition delay; a fixed allowance covers loading
the job and returning results:

    quantum_seconds ≈ JOB_OVERHEAD_S + Σ_pubs shots · sets · (duration_s + rep_delay_s)

An Estimator job (observables on a cloud QPU) chooses its circuits itself: its PUBs are counted
as the qubit-wise-commuting groups qdispatch would measure, plus what its mitigation adds
(planning.estimator_timings).

The actual cost comes from the job's reported usage once it has run. Fake backends run here
and cost nothing.

Classical facts about a job on a device: PUB timings for the cost estimate, transpiled
circuit facts for dry runs, and where each circuit was placed.

For an Estimator job the circuits IBM will run are not known in advance (the Estimator groups
the observables itself, and its mitigation adds circuits); they are estimated as described in
`estimator_timings`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qdispatch_core.domain import Cost, Pricing

if TYPE_CHECKING:  # `qdispatch devices` reads PRICING only: the job modules load when costed
    from qdispatch_core.ports.backend import JobSpec
    from qdispatch_core.rules.paulis import MeasurementGroup
    from qdispatch_core.rules.plan import CircuitPlan
    from qdispatch_ibm.programs import Program

    ProgramFor = Callable[[int, str], Program]

# Pay-As-You-Go plan: USD 96 per minute of QPU usage, i.e. 1.60 per second.
USD_PER_QUANTUM_SECOND = 1.60
PRICE_AS_OF = "2026-11-24"
PRICE_SOURCE = "https://www.ibm.com/quantum/pricing"

# Loading, compilation on the control system and result transfer, per job. IBM's usage guide
# (quantum.cloud.ibm.com/docs/guides/estimate-job-run-time) shows a Bell-pair Sampler job at
# the default shots estimated at 4.1 quantum seconds, of which shots × (duration + rep_delay)
# explain about 1 s.
JOB_OVERHEAD_S = 3.0

# Used when a backend publishes no default repetition delay (most IBM systems use 250 µs).
FALLBACK_REP_DELAY_S = 250e-6

PRICING = Pricing(
    basis=(
        f"Pay-As-You-Go: USD {USD_PER_QUANTUM_SECOND:.2f} per second of QPU usage (quantum "
        f"seconds). Estimated as {JOB_OVERHEAD_S:g} s per job plus shots × parameter sets × "
        "(scheduled circuit duration + repetition delay) per PUB. Observables run on IBM's "
        "Estimator, which groups them itself: estimated per qubit-wise-commuting group "
        "qdispatch would measure, three times over at resilience_level 2 (zero-noise "
        "extrapolation), plus about shots executions of TREX readout learning under "
        "use_mitigation. Charged from the job's reported usage."
    ),
    unit="s",
    as_of=PRICE_AS_OF,
    source=PRICE_SOURCE,
)


@dataclass(frozen=True, slots=True)
class PubTiming:
    """One PUB as the QPU runs it."""

    executions: int  # shots × parameter sets
    duration_s: float  # scheduled duration of one execution


def quantum_seconds(pubs: Sequence[PubTiming], rep_delay_s: float | None) -> float:
    delay = rep_delay_s if rep_delay_s is not None else FALLBACK_REP_DELAY_S
    return JOB_OVERHEAD_S + sum(p.executions * (p.duration_s + delay) for p in pubs)


def usd(seconds: float) -> float:
    return round(seconds * USD_PER_QUANTUM_SECOND, 6)


def qpu_cost(seconds: float) -> Cost:
    return Cost.priced(round(seconds, 6), "s", usd(seconds))


def local_cost(total_shots: int) -> Cost:
    return Cost.free("shots", total_shots)


def rep_delay(backend: Any) -> float | None:
    """The backend's default repetition delay in seconds, when it publishes one."""
    value = getattr(backend.configuration(), "default_rep_delay", None)
    return float(value) if value is not None else None


def _duration(circuit: Any, target: Any) -> float:
    return float(circuit.estimate_duration(target, unit="s"))


def pub_timings(spec: JobSpec, program_for: ProgramFor, target: Any) -> list[PubTiming]:
    """What the QPU will run: every PUB of the job (calibration PUBs included when mitigation
    may add them), its executions and its scheduled duration."""
    from qdispatch_ibm import batches, calibration, mitigation

    built = batches.build_pubs(spec, program_for, target)
    plans = batches.plan_pubs(spec, [p[0] for p in built])
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
    from qdispatch_core.rules.paulis import group_qubit_wise  # a job is costed: not at start-up

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
    from qdispatch_ibm import calibration
    from qdispatch_ibm.batches import ZNE_NOISE_FACTORS
    from qdispatch_ibm.programs import UNMEASURED

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
    from qdispatch_ibm import batches

    placed: Sequence[str] = [
        f"circuit {c + 1} on qubits {list(program_for(c, batches.variant(spec, c)).positions)}"
        for c in range(len(spec.circuits))
    ]
    return f"transpiled for {device_id}: " + "; ".join(placed)
