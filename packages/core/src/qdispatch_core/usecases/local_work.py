"""Performing a piece of local work (a shard, or a job's finishing step), and the in-process
executor that tests use.

`perform` is what every executor runs, in whatever process: it finds the backend by provider
name and the device by id, then runs the shard (stamping when its simulation began and ended) or
finishes the job; given a batch, it does that for each piece and keeps each one's outcome.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend import ShardResult
from qdispatch_core.ports.executor import LocalBatch, LocalExecutor, LocalRun, LocalWork, Outcome
from qdispatch_core.registry import BackendRegistry
from qdispatch_core.usecases.services import utcnow


def _as_is(exc: BaseException, work: LocalWork) -> BaseException:
    return exc


def perform(
    work: LocalWork | LocalBatch,
    backends: BackendRegistry,
    portable: Callable[[BaseException, LocalWork], BaseException] = _as_is,
) -> Any:
    """`work`'s result; for a batch, one `Outcome` per piece (an exception made `portable`
    for the process that receives it)."""
    if isinstance(work, LocalBatch):
        return [_outcome(piece, backends, portable) for piece in work.works]
    return _perform_one(work, backends)


def _outcome(
    work: LocalWork,
    backends: BackendRegistry,
    portable: Callable[[BaseException, LocalWork], BaseException],
) -> Outcome:
    try:
        return Outcome(_perform_one(work, backends))
    except Exception as exc:  # this piece fails alone (its job ends in Error), the rest go on
        return Outcome(error=portable(exc, work))


def _perform_one(work: LocalWork, backends: BackendRegistry) -> Any:
    backend = backends.get(work.provider)
    device = backend.get_device(work.device_id, work.credentials)
    if work.shard is None:
        return backend.finish_local(
            device, work.spec, list(work.outputs or ()), work.notes, work.credentials
        )
    started = utcnow()
    result: ShardResult = backend.run_shard(device, work.spec, work.shard, work.credentials)
    if len(result.outputs) != work.shard.count:
        raise ProviderError(
            f"the simulator returned {len(result.outputs)} outputs for the "
            f"{work.shard.count} executables of shard {work.shard.index}"
        )
    return replace(
        result,
        outputs=list(result.outputs),
        started_at=result.started_at or started,
        finished_at=result.finished_at or utcnow(),
    )


class _ThreadRun(LocalRun):
    def __init__(self, work: LocalWork | LocalBatch, backends: BackendRegistry) -> None:
        self._done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        self._cancelled = False
        thread = threading.Thread(
            target=self._run, args=(work, backends), daemon=True, name="qdispatch-local-work"
        )
        thread.start()

    def _run(self, work: LocalWork | LocalBatch, backends: BackendRegistry) -> None:
        try:
            self._value = perform(work, backends)
        except BaseException as exc:  # re-raised in the waiting thread, whatever it was
            self._error = exc
        finally:
            self._done.set()

    def wait(self, timeout: float) -> bool:
        return self._cancelled or self._done.wait(max(0.0, timeout))

    def result(self) -> Any:
        if self._cancelled:
            raise ProviderError("cancelled")
        if self._error is not None:
            raise self._error
        return self._value

    def cancel(self) -> None:
        # A thread cannot be stopped: its result is dropped. Only for tests and fakes; the
        # app runs local work in child processes, which a cancel terminates.
        self._cancelled = True


class ThreadExecutor(LocalExecutor):
    """Runs each piece of work in a thread of this process, with the worker's own backend
    instances. For tests and fakes only: a simulation here would hold the worker's GIL."""

    def start(self, work: LocalWork | LocalBatch, backends: BackendRegistry) -> LocalRun:
        return _ThreadRun(work, backends)
