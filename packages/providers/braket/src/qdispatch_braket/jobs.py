"""Local simulator jobs, run in a small thread pool inside the worker process.

Their ids mean something only in this process: after a restart the worker runs a local job
again from the start (see qdispatch_core.usecases.execution).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import ProviderError, QDispatchError
from qdispatch_core.ports.backend import RemoteState

S = JobStatus
PREFIX = "braket-local"


class LocalJob:
    def __init__(self, job_id: str, total: int) -> None:
        self.id = job_id
        self.total = total
        self.status = S.QUEUED
        self.done = 0
        self.execution: Any = None  # the Execution, once the work finished
        self.message: str | None = None
        self.cancel_requested = threading.Event()
        self.finished = threading.Event()
        self.future: Future | None = None

    def state(self) -> RemoteState:
        return RemoteState(self.status, self.done, self.message)

    def end(self, status: JobStatus, message: str | None = None) -> None:
        self.status = status
        self.message = message
        self.finished.set()


Work = Callable[[LocalJob], None]


def _failure_message(exc: Exception) -> str:
    if isinstance(exc, QDispatchError):
        return exc.message
    if isinstance(exc, ProviderError):
        return str(exc)
    return f"the Braket local simulator failed ({type(exc).__name__}): {exc}"


class LocalJobs:
    """Starts, tracks and cancels local jobs; remembers the last `keep_finished` finished ones."""

    def __init__(self, workers: int = 2, keep_finished: int = 64) -> None:
        self.keep_finished = keep_finished
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"{PREFIX}-job")
        self._jobs: OrderedDict[str, LocalJob] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, total: int, work: Work) -> LocalJob:
        job = LocalJob(f"{PREFIX}-{uuid.uuid4()}", total)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old_finished()
        job.future = self._pool.submit(self._execute, job, work)
        return job

    def _execute(self, job: LocalJob, work: Work) -> None:
        if job.cancel_requested.is_set():
            job.end(S.CANCELLED, "cancelled before it started")
            return
        job.status = S.RUNNING
        try:
            work(job)
        except Exception as exc:
            job.end(S.ERROR, _failure_message(exc))
            return
        if not job.finished.is_set():
            job.end(S.DONE)

    def get(self, job_id: str) -> LocalJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise ProviderError(
                f"unknown Braket local job id {job_id!r} "
                "(local jobs exist only in the process that ran them)"
            )
        return job

    def cancel(self, job_id: str) -> None:
        job = self.get(job_id)
        if job.finished.is_set():
            return
        job.cancel_requested.set()
        if job.future is not None and job.future.cancel():  # still queued: it never starts
            job.end(S.CANCELLED, "cancelled before it started")

    def _forget_old_finished(self) -> None:
        finished = [j for j in self._jobs.values() if j.finished.is_set()]
        for job in finished[: max(0, len(finished) - self.keep_finished)]:
            del self._jobs[job.id]

    def shutdown(self) -> None:
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel_requested.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for job in jobs:
            if not job.finished.is_set() and job.future is not None and job.future.cancelled():
                job.end(S.CANCELLED, "the backend was closed")
