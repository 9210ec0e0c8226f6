"""The job state machine of run contract §2.

Only the transitions below exist. A final job never changes again: every write path goes
through `advance`, and repositories refuse to overwrite a final job.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from qdispatch_core.domain.enums import JobStatus
from qdispatch_core.domain.jobs import Job
from qdispatch_core.errors import Conflict

ALLOWED_TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.SUBMITTED: frozenset({JobStatus.INITIALIZING, JobStatus.CANCELLED, JobStatus.ERROR}),
    JobStatus.INITIALIZING: frozenset({JobStatus.VALIDATING, JobStatus.CANCELLED, JobStatus.ERROR}),
    # Validating → Done is the dry run: every classical step, no execution.
    JobStatus.VALIDATING: frozenset(
        {JobStatus.QUEUED, JobStatus.DONE, JobStatus.CANCELLED, JobStatus.ERROR}
    ),
    # Queued → Done: a provider may finish between two polls.
    JobStatus.QUEUED: frozenset(
        {JobStatus.RUNNING, JobStatus.DONE, JobStatus.CANCELLED, JobStatus.ERROR}
    ),
    JobStatus.RUNNING: frozenset({JobStatus.DONE, JobStatus.CANCELLED, JobStatus.ERROR}),
    JobStatus.DONE: frozenset(),
    JobStatus.ERROR: frozenset(),
    JobStatus.CANCELLED: frozenset(),
}

# The order statuses normally follow; used to ignore a provider report that lags behind us.
PROGRESSION = (
    JobStatus.SUBMITTED,
    JobStatus.INITIALIZING,
    JobStatus.VALIDATING,
    JobStatus.QUEUED,
    JobStatus.RUNNING,
)


def can_transition(current: JobStatus, target: JobStatus) -> bool:
    return target in ALLOWED_TRANSITIONS[current]


def is_behind(reported: JobStatus, current: JobStatus) -> bool:
    """True when a non-final provider report is at or before where the job already is."""
    if reported.is_final or current.is_final:
        return False
    return PROGRESSION.index(reported) <= PROGRESSION.index(current)


def advance(job: Job, target: JobStatus, now: datetime, note: str = "") -> Job:
    """Move `job` to `target`, stamping times and a log line; Conflict if not allowed."""
    if not can_transition(job.status, target):
        raise Conflict(
            f"job {job.id} cannot go from {job.status.value} to {target.value}", field="status"
        )
    line = f"{now.isoformat()} {target.value}" + (f": {note}" if note else "")
    changes: dict[str, Any] = {"status": target, "logs": (*job.logs, line)}
    if target is JobStatus.RUNNING and job.started_at is None:
        changes["started_at"] = now
    if target.is_final:
        changes["finished_at"] = now
        changes["lease_owner"] = None
        changes["lease_expires_at"] = None
    return replace(job, **changes)


def walk(job: Job, targets: tuple[JobStatus, ...], now: datetime, note: str = "") -> Job:
    """Advance through several statuses in order (the last one gets the note)."""
    for i, target in enumerate(targets):
        job = advance(job, target, now, note if i == len(targets) - 1 else "")
    return job


def with_log(job: Job, now: datetime, message: str) -> Job:
    return replace(job, logs=(*job.logs, f"{now.isoformat()} {message}"))
