"""Deriving a finished job's results again from what it stored, without running anything
(issue 23): a new version of its results, the earlier ones kept."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from qdispatch_core.domain import Job, JobStatus, User
from qdispatch_core.errors import BadRequest, Conflict, LeaseLost
from qdispatch_core.rules.derivation import derive
from qdispatch_core.rules.text import quote
from qdispatch_core.schemas import JobResponse
from qdispatch_core.usecases.execution import rebuild_spec
from qdispatch_core.usecases.jobs import job_response
from qdispatch_core.usecases.services import Services

NOTHING_KEPT = (
    "job_id: job {id} keeps no per-executable outputs to derive its results from: its results "
    "are what its provider returned (counts, state vectors, or expectation values the provider "
    "estimated), or it ran before qdispatch kept them"
)


def recompute_job(services: Services, user: User, job_id: str) -> JobResponse:
    """Expectation values, uncertainties and the mitigation record, derived again from the
    job's stored outputs and readout calibration. Contacts no provider and charges nothing;
    the previous results go to the job's `result_history`."""
    with services.repository.read() as uow:
        job = uow.jobs.get(user.id, job_id)
        circuits = uow.circuits.get_many(job.owner_id, job.circuit_ids)
    if job.status is not JobStatus.DONE or job.dry_run:
        what = "a dry run" if job.dry_run else job.status.value
        raise BadRequest(
            f"job_id: only a Done job that ran can be recomputed; job {quote(job.id)} is {what}",
            field="job_id",
        )
    if job.outputs is None:
        raise BadRequest(NOTHING_KEPT.format(id=quote(job.id)), field="job_id")
    provider_estimates = (job.plan or {}).get("expectations_by") == "provider"
    plan = rebuild_spec(job, circuits, provider_estimates).plan
    results, uncertainties, raw_results, mitigation = derive(plan, job.outputs, job.mitigation)
    updated = _new_version(
        job, services.clock().isoformat(), results, uncertainties, raw_results, mitigation
    )
    try:
        with services.repository.begin() as uow:
            uow.jobs.replace_results(updated, len(job.result_history))
            uow.commit()
    except LeaseLost:
        raise Conflict(
            f"job_id: job {quote(job.id)} was recomputed by someone else meanwhile; read it again",
            field="job_id",
        ) from None
    return job_response(updated)


def _new_version(
    job: Job, now: str, results: Any, uncertainties: Any, raw_results: Any, mitigation: Any
) -> Job:
    version = len(job.result_history) + 1  # the current results' version, kept
    previous = {
        "version": version,
        "replaced_at": now,
        "results": job.results,
        "uncertainties": job.uncertainties,
        "raw_results": job.raw_results,
        "mitigation": job.mitigation,
    }
    same = (results, uncertainties, raw_results, mitigation) == (
        job.results,
        job.uncertainties,
        job.raw_results,
        job.mitigation,
    )
    note = (
        f"{now} results recomputed from the stored outputs as version {version + 1} "
        f"({'identical to' if same else 'changed from'} version {version}); nothing ran and "
        "nothing was charged"
    )
    return replace(
        job,
        results=results,
        uncertainties=uncertainties,
        raw_results=raw_results,
        mitigation=mitigation,
        logs=(*job.logs, note),
        result_history=(*job.result_history, previous),
    )


def result_history(services: Services, user: User, job_id: str) -> list[dict[str, Any]]:
    """The job's earlier result versions, oldest first (the current one is not among them)."""
    with services.repository.read() as uow:
        return list(uow.jobs.get(user.id, job_id).result_history)
