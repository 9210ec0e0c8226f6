"""The job handle a qdispatch primitive returns: Qiskit's `BasePrimitiveJob` over qdispatch jobs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from qiskit.primitives import BasePrimitiveJob, PrimitiveResult
from qiskit.providers import JobStatus

from qdispatch.client import JobFailed, JobHandle
from qdispatch.results import RunResult

# qdispatch's statuses (run contract §2) in Qiskit's words
STATUSES = {
    "Submitted": JobStatus.INITIALIZING,
    "Initializing": JobStatus.INITIALIZING,
    "Validating": JobStatus.VALIDATING,
    "Queued": JobStatus.QUEUED,
    "Running": JobStatus.RUNNING,
    "Done": JobStatus.DONE,
    "Error": JobStatus.ERROR,
    "Cancelled": JobStatus.CANCELLED,
}
# when one call ran as several qdispatch jobs, the least advanced one speaks for all
_ORDER = (
    JobStatus.ERROR,
    JobStatus.CANCELLED,
    JobStatus.INITIALIZING,
    JobStatus.VALIDATING,
    JobStatus.QUEUED,
    JobStatus.RUNNING,
    JobStatus.DONE,
)


class QDispatchPrimitiveJob(BasePrimitiveJob[PrimitiveResult, JobStatus]):
    """One primitive call. `job_id()` is the qdispatch job id (`client.job(id)` reads it, the
    CLI and MCP doors show it); a call whose PUBs need different shots or run types runs as
    several qdispatch jobs, listed in `job_ids` and joined by commas in `job_id()`."""

    def __init__(
        self,
        handles: Sequence[JobHandle],
        assemble: Callable[[list[RunResult]], PrimitiveResult],
        **metadata: Any,
    ) -> None:
        super().__init__(",".join(h.id for h in handles), **metadata)
        self.handles = list(handles)
        self._assemble = assemble
        self._result: PrimitiveResult | None = None

    @property
    def job_ids(self) -> list[str]:
        return [h.id for h in self.handles]

    def result(self, timeout: float | None = None) -> PrimitiveResult:
        """Wait for every qdispatch job and return Qiskit's `PrimitiveResult`; qdispatch's
        `JobFailed` when one ended Error or Cancelled."""
        if self._result is None:
            results = [h.result(timeout, progress=False) for h in self.handles]
            self._result = self._assemble(results)
        return self._result

    def status(self) -> JobStatus:
        found = {STATUSES[h.status()] for h in self.handles}
        return next(s for s in _ORDER if s in found)

    def done(self) -> bool:
        return self.status() is JobStatus.DONE

    def running(self) -> bool:
        return self.status() is JobStatus.RUNNING

    def cancelled(self) -> bool:
        return self.status() is JobStatus.CANCELLED

    def in_final_state(self) -> bool:
        return self.status() in (JobStatus.DONE, JobStatus.ERROR, JobStatus.CANCELLED)

    def cancel(self) -> None:
        for handle in self.handles:
            handle.cancel()

    def __repr__(self) -> str:
        return f"QDispatchPrimitiveJob({self.job_id()!r})"


__all__ = ["JobFailed", "QDispatchPrimitiveJob"]
