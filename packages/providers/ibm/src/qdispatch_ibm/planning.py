"""Classical facts about a job on a device: PUB timings for the cost estimate, transpiled
circuit facts for dry runs, and where each circuit was placed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from qdispatch_core.ports.backend import JobSpec
from qdispatch_ibm import calibration, mitigation, pubs
from qdispatch_ibm.pricing import PubTiming
from qdispatch_ibm.programs import Program

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
