"""The job reads and writes a task needs, as blocking functions for a worker thread."""

from __future__ import annotations

from typing import Any

from mcp.types import CallToolResult

from qdispatch_core import usecases
from qdispatch_core.domain import JobStatus, User
from qdispatch_core.errors import NotFound
from qdispatch_core.schemas import JobView
from qdispatch_core.usecases import Services
from qdispatch_mcp.calls import success
from qdispatch_mcp.results import Pager, compact_ran
from qdispatch_mcp.tasks.states import is_final

# tasks/list pages through the caller's newest jobs, this many a page, up to the listing limit
# of the core (services.limits.list_max, 1,000 by default).
PAGE = 50


class TaskNotFound(Exception):
    """No task of that id for this caller (another user's job reads the same)."""


def read(services: Services, user: User, job_id: str) -> JobView:
    try:
        return usecases.get_job(services, user, job_id).job
    except NotFound:
        raise TaskNotFound(job_id) from None


def result_of(pager: Pager) -> Any:
    """The task's result: what get_job_results_and_status returns for the finished job, a tool
    error when the job ended Error or Cancelled (the run did not give results)."""

    def result(services: Services, user: User, job_id: str) -> CallToolResult:
        try:
            out = compact_ran(pager.read(services, user, job_id, None))
        except NotFound:
            raise TaskNotFound(job_id) from None
        reply = success(out)
        if out.status in (JobStatus.ERROR, JobStatus.CANCELLED):
            reply.is_error = True
        return reply

    return result


def cancel(services: Services, user: User, job_id: str) -> JobView:
    job = read(services, user, job_id)
    if is_final(job):
        return job
    return usecases.cancel_job(services, user, job_id).job


def page_of_jobs(services: Services, user: User, offset: int) -> tuple[list[JobView], bool]:
    """Jobs offset..offset+PAGE of the caller's, newest first, and whether more follow."""
    limit = min(offset + PAGE + 1, services.limits.list_max)
    jobs = usecases.list_jobs(services, user, limit=limit)[offset:]
    more = len(jobs) > PAGE
    return [JobView.of(j) for j in jobs[:PAGE]], more
