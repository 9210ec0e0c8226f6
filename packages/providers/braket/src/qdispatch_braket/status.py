"""Braket quantum-task states, mapped explicitly onto qdispatch's job statuses.

The service's enum (API 2019-09-01) is CREATED, QUEUED, RUNNING, COMPLETED, FAILED, CANCELLING,
CANCELLED. A state missing here is an error, never a silent default.
"""

from __future__ import annotations

from qdispatch_core.domain import JobStatus
from qdispatch_core.rules.vendor_states import mapped

TASK_STATUS: dict[str, JobStatus] = {
    "CREATED": JobStatus.QUEUED,
    "QUEUED": JobStatus.QUEUED,
    "RUNNING": JobStatus.RUNNING,
    "COMPLETED": JobStatus.DONE,
    "FAILED": JobStatus.ERROR,
    # Still stopping: not final. Reported as Queued, which never moves a job backwards; the
    # job keeps its status until the task is CANCELLED (or finishes after all).
    "CANCELLING": JobStatus.QUEUED,
    "CANCELLED": JobStatus.CANCELLED,
}


def job_status(task_state: str) -> JobStatus:
    return mapped(
        TASK_STATUS,
        task_state,
        lambda: (
            f"Amazon Braket reported task state {task_state!r}, which qdispatch does not "
            f"know (known: {', '.join(TASK_STATUS)}); upgrade qdispatch-braket"
        ),
    )


def combined(statuses: list[JobStatus]) -> JobStatus:
    """One job made of several tasks: a failed task ends it at once (its siblings are then
    cancelled); a cancellation ends it once every task has stopped."""
    if JobStatus.ERROR in statuses:
        return JobStatus.ERROR
    if all(s is JobStatus.DONE for s in statuses):
        return JobStatus.DONE
    if all(s.is_final for s in statuses):
        return JobStatus.CANCELLED
    if any(s in (JobStatus.RUNNING, JobStatus.DONE) for s in statuses):
        return JobStatus.RUNNING
    return JobStatus.QUEUED
