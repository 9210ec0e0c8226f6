"""Jobs that run inside the worker's own process, for providers with local simulators.

Nothing here is Qiskit-specific (it imports only the standard library and the core): it lives
in the shared toolkit because every provider may depend on the toolkit, and on nothing else
the others use. Two pieces:

- `JobRegistry`: process-local job ids (`<prefix>-<uuid4>`) and what they name, with a bounded
  memory of finished jobs, and a `ProviderError` for an id it does not know. Such ids mean
  something only in the process that made them: after a restart the worker runs a local job
  again from the start (see qdispatch_core.usecases.execution).
- `LocalJobs`: a small thread pool that runs one work function per job (simulators release the
  GIL while they simulate), with progress, waiting, cancellation (a queued job never starts; a
  running one stops where its work checks, between batches) and failures turned into the
  job's message.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import ProviderError, QDispatchError
from qdispatch_core.ports.backend import RemoteState

S = JobStatus
T = TypeVar("T")

NOT_STARTED = "cancelled before it started"
CLOSED = "the backend was closed"


class JobRegistry(Generic[T]):
    """Process-local ids for a provider's jobs; remembers the last `keep_finished` finished ones.

    `label` names the jobs in errors (``unknown {label} id …``) and `kind` says which jobs live
    only in this process. An unfinished job (`finished(entry)` false) is never forgotten: the
    worker still polls it.
    """

    def __init__(
        self,
        prefix: str,
        label: str,
        finished: Callable[[T], bool],
        *,
        keep_finished: int = 64,
        kind: str = "local jobs",
    ) -> None:
        self.prefix = prefix
        self.label = label
        self.kind = kind
        self.keep_finished = keep_finished
        self._finished = finished
        self._entries: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def new_id(self) -> str:
        return f"{self.prefix}-{uuid.uuid4()}"

    def add(self, entry: T, job_id: str | None = None) -> str:
        """Remember `entry` under `job_id` (a new id if none); returns the id."""
        job_id = job_id or self.new_id()
        with self._lock:
            self._entries[job_id] = entry
            self._forget_old_finished()
        return job_id

    def get(self, job_id: str) -> T:
        with self._lock:
            entry = self._entries.get(job_id)
        if entry is None:
            raise ProviderError(
                f"unknown {self.label} id {job_id!r} "
                f"({self.kind} exist only in the process that ran them)"
            )
        return entry

    def entries(self) -> list[T]:
        with self._lock:
            return list(self._entries.values())

    def _forget_old_finished(self) -> None:
        finished = [i for i, e in self._entries.items() if self._finished(e)]
        for job_id in finished[: max(0, len(finished) - self.keep_finished)]:
            del self._entries[job_id]


class LocalJob:
    """One job of `total` units of work (executables): the work advances `done`, fills
    `outputs` (one slot per unit), adds `notes`, and may leave anything else in `result`."""

    def __init__(self, job_id: str, total: int) -> None:
        self.id = job_id
        self.total = total
        self.status = S.QUEUED
        self.done = 0
        self.outputs: list[Any] = [None] * total
        self.notes: list[str] = []
        self.result: Any = None
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

    def stop_if_cancelled(self, message: str) -> bool:
        """Where the work may stop (between batches): True, with the job ended CANCELLED with
        `message`, when cancellation was asked for; the work then returns."""
        if not self.cancel_requested.is_set():
            return False
        self.end(S.CANCELLED, message)
        return True


Work = Callable[[LocalJob], None]


class LocalJobs:
    """Starts, tracks and cancels a provider's local jobs in a pool of `workers` threads.

    `prefix` starts every job id; `label` names the jobs in errors (``unknown {label} id …``,
    ``{label} … has no results``); an exception from the work that is not one of qdispatch's
    own ends the job in ERROR with ``{failure} (ExceptionType): message``.
    """

    def __init__(
        self,
        prefix: str,
        *,
        label: str,
        failure: str,
        workers: int = 2,
        keep_finished: int = 64,
    ) -> None:
        self.label = label
        self.failure = failure
        self.registry: JobRegistry[LocalJob] = JobRegistry(
            prefix, label, lambda job: job.finished.is_set(), keep_finished=keep_finished
        )
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"{prefix}-job")

    def start(self, total: int, work: Work) -> LocalJob:
        job = LocalJob(self.registry.new_id(), total)
        self.registry.add(job, job.id)
        job.future = self._pool.submit(self._execute, job, work)
        return job

    def _execute(self, job: LocalJob, work: Work) -> None:
        if job.cancel_requested.is_set():
            job.end(S.CANCELLED, NOT_STARTED)
            return
        job.status = S.RUNNING
        try:
            work(job)
        except Exception as exc:
            job.end(S.ERROR, self.failure_message(exc))
            return
        if not job.finished.is_set():
            job.end(S.DONE)

    def failure_message(self, exc: Exception) -> str:
        if isinstance(exc, QDispatchError):
            return exc.message
        if isinstance(exc, ProviderError):
            return str(exc)
        return f"{self.failure} ({type(exc).__name__}): {exc}"

    def get(self, job_id: str) -> LocalJob:
        return self.registry.get(job_id)

    def state(self, job_id: str) -> RemoteState:
        return self.get(job_id).state()

    def wait(self, job_id: str, timeout: float) -> RemoteState:
        """The job's state once it finishes, or after `timeout` seconds, whichever is first."""
        job = self.get(job_id)
        job.finished.wait(timeout)
        return job.state()

    def finished_job(self, job_id: str) -> LocalJob:
        """The job, when it is DONE; a ProviderError saying what it is otherwise."""
        job = self.get(job_id)
        if job.status is not S.DONE:
            raise ProviderError(f"{self.label} {job_id} has no results (it is {job.status.value})")
        return job

    def cancel(self, job_id: str) -> None:
        job = self.get(job_id)
        if job.finished.is_set():
            return
        job.cancel_requested.set()
        if job.future is not None and job.future.cancel():  # still queued: it never starts
            job.end(S.CANCELLED, NOT_STARTED)

    def shutdown(self) -> None:
        jobs = self.registry.entries()
        for job in jobs:
            job.cancel_requested.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for job in jobs:
            if not job.finished.is_set() and job.future is not None and job.future.cancelled():
                job.end(S.CANCELLED, CLOSED)
