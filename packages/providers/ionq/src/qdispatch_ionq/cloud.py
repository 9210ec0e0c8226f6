"""IonQ jobs: creating them through cirq_ionq.Service, reading their state and their results.

Every function takes the job's Connection and builds its clients fresh, so a worker that
restarted re-attaches to IonQ jobs from their ids alone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend import RemoteState
from qdispatch_ionq.batches import Batch
from qdispatch_ionq.calibration import METADATA_KEY
from qdispatch_ionq.programs import Program
from qdispatch_ionq.session import Connection, IonQApi, NotFoundAtIonQ, ionq_errors, open_service
from qdispatch_ionq.status import map_status

log = logging.getLogger(__name__)


def create(
    connection: Connection,
    batch: Batch,
    programs: Sequence[Program],
    *,
    target: str,
    shots: int,
    name: str,
    settings: Mapping[str, Any],
) -> str:
    """One IonQ job for the batch (multi-circuit when it holds several); its id."""
    service = open_service(connection)
    circuits = [p.circuit for p in programs]
    with ionq_errors(f"creating the IonQ job {name!r}", connection):
        if batch.multi:
            job = service.create_batch_job(
                circuits, repetitions=shots, name=name, target=target, **settings
            )
        else:
            job = service.create_job(
                circuits[0], repetitions=shots, name=name, target=target, **settings
            )
    return job.job_id()


def cancel_quietly(connection: Connection, job_ids: Sequence[str]) -> None:
    """Best effort, for jobs created before a later one failed to be."""
    for job_id in job_ids:
        try:
            cancel(connection, job_id)
        except Exception as exc:
            log.warning("could not cancel IonQ job %s: %s", job_id, exc)


def cancel(connection: Connection, job_id: str) -> None:
    """Cancel a job that has not finished. IonQ would mark even a completed job 'canceled', so
    finished jobs are left alone."""
    service = open_service(connection)
    with ionq_errors(f"cancelling IonQ job {job_id}", connection):
        job = service.get_job(job_id)
        if map_status(job.status()).is_final:
            return
        job.cancel()


# -- state ---------------------------------------------------------------------------------------


def read_job(api: IonQApi, job_id: str) -> dict[str, Any]:
    try:
        return api.job(job_id)
    except NotFoundAtIonQ:
        raise ProviderError(
            f"IonQ has no job {job_id!r} (404): it was deleted, or belongs to another account "
            "or API key"
        ) from None


def circuits_in(job: Mapping[str, Any]) -> int:
    """How many circuits a job holds: its children, or the circuits in its metadata."""
    children = job.get("children")
    if isinstance(children, list) and children:
        return len(children)
    numbers = (job.get("metadata") or {}).get("qubit_numbers")
    try:
        return max(1, len(json.loads(numbers))) if numbers else 1
    except (TypeError, ValueError):
        return 1


def executables_in(job: Mapping[str, Any]) -> int:
    """The job's circuits that are executables of the plan: not readout calibration circuits
    (which qdispatch counts in the job's metadata)."""
    try:
        calibrations = int((job.get("metadata") or {}).get(METADATA_KEY, 0))
    except (TypeError, ValueError):
        calibrations = 0
    return max(0, circuits_in(job) - calibrations)


def _failure(job_id: str, job: Mapping[str, Any], status: str) -> str:
    if status == "deleted":
        return f"IonQ job {job_id} was deleted before its results were read"
    error = (job.get("failure") or {}).get("error")
    return f"IonQ job {job_id} failed: {error}" if error else f"IonQ job {job_id} failed"


def state(api: IonQApi, job_ids: Sequence[str]) -> RemoteState:
    """One state for all of a job's IonQ jobs: an error or a cancellation anywhere ends it."""
    statuses, done = [], 0
    for job_id in job_ids:
        job = read_job(api, job_id)
        raw = job.get("status")
        status = map_status(raw)
        if status is JobStatus.ERROR:
            return RemoteState(JobStatus.ERROR, done, _failure(job_id, job, str(raw)))
        if status is JobStatus.CANCELLED:
            return RemoteState(JobStatus.CANCELLED, done, f"IonQ job {job_id} was canceled")
        if status is JobStatus.DONE:
            done += executables_in(job)
        statuses.append(status)
    if all(s is JobStatus.DONE for s in statuses):
        return RemoteState(JobStatus.DONE, done)
    running = any(s in (JobStatus.RUNNING, JobStatus.DONE) for s in statuses)
    return RemoteState(JobStatus.RUNNING if running else JobStatus.QUEUED, done)


# -- results -------------------------------------------------------------------------------------


def histograms(
    api: IonQApi, job_id: str, batch: Batch, sharpen: bool | None
) -> list[Mapping[str, float]]:
    """One probability histogram per circuit of the batch (its executables, then its
    calibration circuits), in the batch's order."""
    job = read_job(api, job_id)
    if job.get("status") != "completed":
        raise ProviderError(f"IonQ job {job_id} has no results: it is {job.get('status')!r}")
    answer = api.probabilities(job_id, multi=batch.multi, sharpen=sharpen)
    if not batch.multi:
        found: list[Any] = [answer]
    else:
        children = job.get("children")
        order = children if isinstance(children, list) and set(children) == set(answer) else None
        found = [answer[c] for c in order] if order else list(answer.values())
    if len(found) != batch.size or not all(isinstance(h, dict) for h in found):
        raise ProviderError(
            f"IonQ job {job_id} returned {len(found)} results for {batch.size} circuits"
        )
    return found
