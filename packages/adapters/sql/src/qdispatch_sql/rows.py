"""Explicit conversion between table rows and domain objects (the domain knows no ORM)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from qdispatch_core.domain import (
    Circuit,
    CircuitAnalytics,
    Cost,
    Experiment,
    Job,
    JobStatus,
    Progress,
    RunType,
    User,
)
from qdispatch_core.rules.options import SECRET_OPTION_KEYS


def user_to_row(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "created_at": user.created_at}


def user_from_row(row: Row) -> User:
    return User(id=row.id, name=row.name, created_at=row.created_at)


def experiment_to_row(experiment: Experiment) -> dict[str, Any]:
    return {
        "id": experiment.id,
        "owner_id": experiment.owner_id,
        "name": experiment.name,
        "description": experiment.description,
        "created_at": experiment.created_at,
    }


def experiment_from_row(row: Row) -> Experiment:
    return Experiment(
        id=row.id,
        owner_id=row.owner_id,
        name=row.name,
        description=row.description,
        created_at=row.created_at,
    )


def circuit_to_row(circuit: Circuit) -> dict[str, Any]:
    return {
        "id": circuit.id,
        "owner_id": circuit.owner_id,
        "experiment_id": circuit.experiment_id,
        "name": circuit.name,
        "description": circuit.description,
        "qasm": circuit.qasm,
        "qasm_version": circuit.qasm_version,
        "content_hash": circuit.content_hash,
        "analytics": circuit.analytics.to_dict(),
        "created_at": circuit.created_at,
    }


def circuit_from_row(row: Row) -> Circuit:
    return Circuit(
        id=row.id,
        owner_id=row.owner_id,
        experiment_id=row.experiment_id,
        name=row.name,
        description=row.description,
        qasm=row.qasm,
        qasm_version=row.qasm_version,
        content_hash=row.content_hash,
        analytics=CircuitAnalytics.from_dict(row.analytics),
        created_at=row.created_at,
    )


def _cost_to_json(cost: Cost | None) -> dict[str, Any] | None:
    # The dataclass fields, not Cost.to_dict(): that public view drops fields when no price
    # is known, and a stored job must read back equal.
    if cost is None:
        return None
    return {
        "native_amount": cost.native_amount,
        "native_unit": cost.native_unit,
        "usd": cost.usd,
        "reason": cost.reason,
    }


def _cost_from_json(data: dict[str, Any] | None) -> Cost | None:
    return None if data is None else Cost(**data)


def _refuse_credentials(job: Job) -> None:
    # The core strips credentials before a job exists; this is the last line of defence, at
    # the point where anything would become permanent.
    leaked = SECRET_OPTION_KEYS.intersection(job.options)
    if leaked:
        raise ValueError(f"refusing to store credentials in job options: {sorted(leaked)}")


def job_to_row(job: Job) -> dict[str, Any]:
    """Every column of the job's row."""
    _refuse_credentials(job)
    return {
        "id": job.id,
        "owner_id": job.owner_id,
        "experiment_id": job.experiment_id,
        "device_id": job.device_id,
        "provider": job.provider,
        "run_type": job.run_type.value,
        "shots": job.shots,
        "circuit_ids": list(job.circuit_ids),
        "parameters": job.parameters,
        "observables": job.observables,
        "options": job.options,
        "use_mitigation": job.use_mitigation,
        "dry_run": job.dry_run,
        "created_at": job.created_at,
        "name": job.name,
        "description": job.description,
        "status": job.status.value,
        "provider_job_ids": list(job.provider_job_ids),
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "estimated_cost": _cost_to_json(job.estimated_cost),
        "cost": _cost_to_json(job.cost),
        "results": job.results,
        "uncertainties": job.uncertainties,
        "raw_results": job.raw_results,
        "mitigation": job.mitigation,
        "plan": job.plan,
        "error": job.error,
        "logs": list(job.logs),
        "progress_done": job.progress.done,
        "progress_total": job.progress.total,
        "lease_owner": job.lease_owner,
        "lease_expires_at": job.lease_expires_at,
        "cancel_requested": job.cancel_requested,
        "attempts": job.attempts,
        "outputs": job.outputs,
        "result_history": list(job.result_history) or None,
        "result_versions": len(job.result_history),
    }


def job_from_row(row: Row) -> Job:
    return Job(
        id=row.id,
        owner_id=row.owner_id,
        experiment_id=row.experiment_id,
        device_id=row.device_id,
        provider=row.provider,
        run_type=RunType(row.run_type),
        shots=row.shots,
        circuit_ids=tuple(row.circuit_ids),
        parameters=row.parameters,
        observables=row.observables,
        options=row.options,
        use_mitigation=row.use_mitigation,
        dry_run=row.dry_run,
        created_at=row.created_at,
        name=row.name,
        description=row.description,
        status=JobStatus(row.status),
        provider_job_ids=tuple(row.provider_job_ids),
        started_at=row.started_at,
        finished_at=row.finished_at,
        estimated_cost=_cost_from_json(row.estimated_cost),
        cost=_cost_from_json(row.cost),
        results=row.results,
        uncertainties=row.uncertainties,
        raw_results=row.raw_results,
        mitigation=row.mitigation,
        plan=row.plan,
        error=row.error,
        logs=tuple(row.logs),
        progress=Progress(row.progress_done, row.progress_total),
        lease_owner=row.lease_owner,
        lease_expires_at=row.lease_expires_at,
        cancel_requested=row.cancel_requested,
        attempts=row.attempts,
        outputs=row.outputs,
        result_history=tuple(row.result_history or ()),
    )
