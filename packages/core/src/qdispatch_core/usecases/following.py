"""Following a job to its end: the one wait loop behind the library's `Job.wait`, the CLI's
`run --wait` / `jobs wait` and, on an event loop (`follow_job_async`), MCP's `wait_for_job`.

Reads back off from `first` to `longest` seconds (×1.5 each time), a pause never outlasts the
time left, and the loop ends with the job final or with the timeout spent, never both unread:
the job returned is always the last one read.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from qdispatch_core.domain import JobStatus

FIRST_PAUSE_S = 0.05
LONGEST_PAUSE_S = 0.5
GROWTH = 1.5


class HasStatus(Protocol):
    @property
    def status(self) -> str: ...


J = TypeVar("J", bound=HasStatus)


@dataclass
class Backoff:
    """When to read again: None once `timeout` seconds (None: never) have passed."""

    timeout: float | None
    first: float = FIRST_PAUSE_S
    longest: float = LONGEST_PAUSE_S
    clock: Callable[[], float] = time.monotonic
    _started: float = field(init=False)
    _delay: float = field(init=False)

    def __post_init__(self) -> None:
        self._started = self.clock()
        self._delay = self.first

    @property
    def elapsed(self) -> float:
        return self.clock() - self._started

    def next_pause(self) -> float | None:
        left = None if self.timeout is None else self.timeout - self.elapsed
        if left is not None and left <= 0:
            return None
        pause = self._delay if left is None else min(self._delay, left)
        self._delay = min(self._delay * GROWTH, self.longest)
        return pause


def is_final(status: str) -> bool:
    return JobStatus(status).is_final


def follow_job(
    read: Callable[[], J],
    *,
    timeout: float | None,
    pause: Callable[[float], None] = time.sleep,
    on_update: Callable[[J], None] | None = None,
    first: float = FIRST_PAUSE_S,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[J, bool]:
    """Read the job until it is final: (job, True); or until `timeout` runs out: (job, False).
    `on_update` sees every read, the last too (a progress display); `pause` sleeps
    between reads (or wakes early, e.g. when an in-process worker finishes a job)."""
    backoff = Backoff(timeout, first=first, clock=clock)
    while True:
        job = read()
        if on_update is not None:
            on_update(job)
        if is_final(job.status):
            return job, True
        seconds = backoff.next_pause()
        if seconds is None:
            return job, False
        pause(seconds)


async def follow_job_async(
    read: Callable[[], Awaitable[J]],
    backoff: Backoff,
    *,
    pause: Callable[[float], Awaitable[None]],
    on_wait: Callable[[J], Awaitable[None]] | None = None,
) -> tuple[J, bool]:
    """`follow_job` for an event loop, with the same `Backoff` and the same ending rules:
    (job, True) once final, (job, False) once `backoff` says the time is spent. `on_wait` sees
    each read that a pause follows (MCP's progress notifications); the caller keeps `backoff`
    to tell how long it waited."""
    while True:
        job = await read()
        if is_final(job.status):
            return job, True
        seconds = backoff.next_pause()
        if seconds is None:
            return job, False
        if on_wait is not None:
            await on_wait(job)
        await pause(seconds)
