"""Jobs seen as MCP tasks: a task is a job (task id = job id), its state the job's.

Two revisions of the Tasks protocol are served (docs/decisions.md, "MCP Tasks"):
- `v1`, the 2025-11-25 core specification (utilities/tasks): `ttl`, `pollInterval`; a job
  whose cancel was asked for is `cancelled` at once and stays so (cancellation is sticky there);
  a job that ended `Error` is `failed`;
- `v2`, the `io.modelcontextprotocol/tasks` extension (SEP-2663, the draft of the
  modelcontextprotocol/experimental-ext-tasks repository): `ttlMs`, `pollIntervalMs`, the
  finished tool result inlined in the task; cancellation is eventually consistent, so a job
  reports what it became; `failed` is kept for JSON-RPC errors, so a job that ended `Error` is
  `completed` with a tool result whose `isError` is true.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from qdispatch_core.domain import JobStatus
from qdispatch_core.domain.enums import FINAL_STATUSES
from qdispatch_core.schemas import JobView

Revision = Literal["v1", "v2"]

TASKS_EXTENSION = "io.modelcontextprotocol/tasks"
RELATED_TASK = "io.modelcontextprotocol/related-task"
# Jobs are kept until deleted: no time-to-live.
TTL = None
# What clients are asked to wait between polls: simulator jobs end in well under a second,
# QPU jobs in minutes; wait_for_job (long polling) is there for those who want to block.
POLL_INTERVAL_MS = 1000
# The tools whose calls may become tasks: the ones that create a job.
JOB_TOOLS = frozenset({"run_circuits_on_qpu_or_simulator"})


def task_status(job: JobView, revision: Revision) -> str:
    if revision == "v1" and job.cancel_requested:
        return "cancelled"
    if job.status == JobStatus.DONE:
        return "completed"
    if job.status == JobStatus.ERROR:
        return "failed" if revision == "v1" else "completed"
    if job.status == JobStatus.CANCELLED:
        return "cancelled"
    return "working"


def status_message(job: JobView) -> str:
    done, total = job.progress.done, job.progress.total
    if job.status == JobStatus.ERROR:
        return f"Error: {job.error or 'the job failed'}"
    if job.status == JobStatus.CANCELLED:
        return "Cancelled: the job was cancelled."
    if job.status == JobStatus.DONE:
        return f"Done: {done}/{total} executables; read the result for the job and its results."
    if job.cancel_requested:
        return f"{job.status}: cancel requested; {done}/{total} executables done."
    return f"{job.status}: {done}/{total} executables done."


def _when(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def last_updated(job: JobView) -> datetime:
    return max(t for t in (job.created_at, job.started_at, job.finished_at) if t is not None)


def task_of(job: JobView, revision: Revision) -> dict[str, Any]:
    """The task's wire fields (camelCase, as the specifications name them)."""
    task: dict[str, Any] = {
        "taskId": job.id,
        "status": task_status(job, revision),
        "statusMessage": status_message(job),
        "createdAt": _when(job.created_at),
        "lastUpdatedAt": _when(last_updated(job)),
    }
    if revision == "v1":
        task |= {"ttl": TTL, "pollInterval": POLL_INTERVAL_MS}
    else:
        task |= {"ttlMs": TTL, "pollIntervalMs": POLL_INTERVAL_MS}
    return task


def is_final(job: JobView) -> bool:
    return job.status in FINAL_STATUSES
