"""The backend's view of a job (`JobSpec`), built by one function at submission and in the
worker (after a restart too), so the two can never plan or describe a job differently."""

from __future__ import annotations

from collections.abc import Sequence

from qdispatch_core.domain import Circuit, Job
from qdispatch_core.ports.backend import JobSpec, SpecCircuit
from qdispatch_core.rules.plan import JobPlan, build_plan


def spec_circuit(circuit: Circuit) -> SpecCircuit:
    return SpecCircuit(
        circuit.id, circuit.name, circuit.qasm, circuit.qasm_version, circuit.analytics
    )


def plan_job(
    job: Job,
    qubits: Sequence[int],
    provider_estimates: bool,
    max_executables: int | None = None,
) -> JobPlan:
    """The job's executables, given the answer of `Backend.estimates_observables`; refused
    (400) beyond `max_executables` at submission."""
    return build_plan(
        job.run_type,
        job.shots,
        list(qubits),
        job.parameters,
        job.observables,
        provider_estimates=provider_estimates,
        max_executables=max_executables,
    )


def job_spec(job: Job, circuits: Sequence[SpecCircuit], plan: JobPlan) -> JobSpec:
    """What a backend sees of `job`: its circuits in run order, its plan, its runtime options
    (credentials are never among them: they travel apart)."""
    return JobSpec(
        job_id=job.id,
        device_id=job.device_id,
        run_type=job.run_type,
        shots=job.shots,
        circuits=tuple(circuits),
        plan=plan,
        options=dict(job.options),
        use_mitigation=job.use_mitigation,
    )
