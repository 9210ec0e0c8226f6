"""Reading, listing and cancelling jobs."""

from __future__ import annotations

from datetime import datetime

from qdispatch_core import context
from qdispatch_core.domain import Job, JobStatus, User
from qdispatch_core.domain.lifecycle import advance
from qdispatch_core.errors import BadRequest, LeaseLost
from qdispatch_core.ports import JobFilter, UnitOfWork
from qdispatch_core.rules.suggest import did_you_mean
from qdispatch_core.rules.text import is_count, quote
from qdispatch_core.schemas import JobResponse, JobView
from qdispatch_core.usecases.services import Services

# Before a provider holds the job, cancelling needs nobody's cooperation.
_CANCEL_AT_ONCE = frozenset(
    {JobStatus.SUBMITTED, JobStatus.INITIALIZING, JobStatus.VALIDATING, JobStatus.QUEUED}
)


def job_response(job: Job) -> JobResponse:
    return JobResponse(job=JobView.of(job), context=context.describe(job))


def get_job(services: Services, user: User, job_id: str) -> JobResponse:
    with services.repository.read() as uow:
        return job_response(uow.jobs.get(user.id, job_id))


def list_jobs(
    services: Services,
    user: User,
    experiment_id: str | None = None,
    status: str | JobStatus | None = None,
    limit: int = 50,
    dry_run: bool | None = None,
) -> list[Job]:
    """The user's jobs, newest first; each filter given narrows the list (`dry_run` True: dry
    runs only, False: real runs only)."""
    if not is_count(limit) or not 1 <= limit <= services.limits.list_max:
        raise BadRequest(f"limit: expected 1..{services.limits.list_max}", field="limit")
    wanted = job_status(status) if status else None
    if dry_run is not None and not isinstance(dry_run, bool):
        raise BadRequest(f"dry_run: expected true or false, got {quote(dry_run)}", field="dry_run")
    with services.repository.read() as uow:
        if experiment_id:
            uow.experiments.get(user.id, experiment_id)
        return uow.jobs.list(user.id, JobFilter(experiment_id, wanted, limit, dry_run))


def job_status(status: str | JobStatus) -> JobStatus:
    """The status of that name, or a 400 listing the names (with the closest one)."""
    try:
        return JobStatus(status)
    except ValueError:
        names = [s.value for s in JobStatus]
        shown = quote(status)
        raise BadRequest(
            f"status: expected one of {', '.join(names)}, got {shown}"
            + (did_you_mean(status, names) if isinstance(status, str) else ""),
            field="status",
        ) from None


def finish_unstarted(
    uow: UnitOfWork,
    job: Job,
    target: JobStatus,
    now: datetime,
    note: str,
    lease_owner: str | None = None,
) -> Job:
    """End a job no provider has, releasing its reservation and its sealed credentials."""
    ended = advance(job, target, now, note)
    uow.jobs.save(ended, lease_owner=lease_owner, expected_status=job.status)
    uow.billing.release(job.owner_id, job.id)
    uow.secrets.delete(job.id)
    uow.shards.delete(job.id)
    return ended


def cancel_job(services: Services, user: User, job_id: str) -> JobResponse:
    """Cancel: at once when no provider holds the job yet; otherwise flag it, and the worker
    that holds it cancels at the provider. Cancelling a final job changes nothing."""
    for _ in range(3):  # a worker may move the job between our read and our write
        with services.repository.begin() as uow:
            job = uow.jobs.get(user.id, job_id)
            if job.is_final:
                return job_response(job)
            try:
                if job.status in _CANCEL_AT_ONCE and not job.provider_job_ids:
                    job = finish_unstarted(
                        uow,
                        job,
                        JobStatus.CANCELLED,
                        services.clock(),
                        "cancelled by the user before execution",
                    )
                else:
                    job = uow.jobs.request_cancel(user.id, job_id)
                uow.commit()
                return job_response(job)
            except LeaseLost:
                continue
    with services.repository.begin() as uow:
        job = uow.jobs.request_cancel(user.id, job_id)
        uow.commit()
        return job_response(job)
