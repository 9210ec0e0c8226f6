"""The one wait loop: back-off, timeout, and the job last read always returned."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from qdispatch_core.usecases.following import (
    LONGEST_PAUSE_S,
    Backoff,
    follow_job,
    follow_job_async,
)


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Seen:
    status: str


def test_a_final_job_returns_at_once_without_a_pause():
    pauses: list[float] = []
    job, final = follow_job(lambda: Seen("Done"), timeout=0, pause=pauses.append)
    assert (job, final, pauses) == (Seen("Done"), True, [])


def test_reads_until_final_and_shows_every_read():
    statuses = iter(["Queued", "Running", "Running", "Cancelled"])
    shown: list[str] = []
    job, final = follow_job(
        lambda: Seen(next(statuses)), timeout=None, pause=lambda s: None, on_update=shown.append
    )
    assert final and job.status == "Cancelled"
    assert [s.status for s in shown] == ["Queued", "Running", "Running", "Cancelled"]


@given(st.floats(0, 30), st.floats(0.001, 1))
def test_pauses_grow_to_the_longest_and_never_outlast_the_timeout(timeout, first):
    clock = Clock()
    backoff = Backoff(timeout, first=first, clock=clock)
    pauses = []
    while (pause := backoff.next_pause()) is not None:
        assert 0 < pause <= max(first, LONGEST_PAUSE_S)
        assert clock.now + pause <= timeout + 1e-9  # never beyond the deadline
        pauses.append(pause)
        clock.now += pause
    assert clock.now >= timeout - 1e-9  # and gives up only once it has passed
    growing = pauses[:-1]  # the last one may be cut short by the deadline
    assert all(b >= a or b == LONGEST_PAUSE_S for a, b in pairwise(growing))


def test_a_timeout_returns_the_job_as_last_read_not_final():
    clock = Clock()
    reads = []

    def read() -> Seen:
        reads.append(clock.now)
        return Seen("Running")

    def pause(seconds: float) -> None:
        clock.now += seconds

    job, final = follow_job(read, timeout=2.0, pause=pause, clock=clock)
    assert not final and job.status == "Running"
    assert clock.now == 2.0 and reads[-1] == 2.0  # the last read is at the deadline
    assert reads[:3] == [0.0, 0.05, 0.05 + 0.075]


# -- the same loop on an event loop (MCP's wait_for_job) -------------------------------------


def follow_async(statuses: list[str], timeout: float, first: float = 0.05):
    """Drive `follow_job_async` on a fake clock: (job, final, read times, waits seen)."""
    clock, left = Clock(), iter(statuses)
    reads: list[float] = []
    waits: list[tuple[float, str]] = []
    backoff = Backoff(timeout, first=first, clock=clock)

    async def read() -> Seen:
        reads.append(clock.now)
        return Seen(next(left, statuses[-1]))

    async def pause(seconds: float) -> None:
        clock.now += seconds

    async def on_wait(job: Seen) -> None:
        waits.append((clock.now, job.status))

    job, final = asyncio.run(follow_job_async(read, backoff, pause=pause, on_wait=on_wait))
    return job, final, reads, waits


def test_async_a_final_job_returns_at_once_and_no_wait_is_shown():
    assert follow_async(["Done"], timeout=0) == (Seen("Done"), True, [0.0], [])


def test_async_reads_until_final_and_shows_only_the_reads_a_pause_follows():
    job, final, reads, waits = follow_async(["Queued", "Running", "Error"], timeout=60)
    assert final and job == Seen("Error")
    assert reads == [0.0, 0.05, 0.05 + 0.075]
    assert waits == [(0.0, "Queued"), (0.05, "Running")]


def test_async_a_timeout_returns_the_last_read_at_the_deadline_as_the_sync_loop_does():
    job, final, reads, _ = follow_async(["Running"], timeout=2.0, first=0.02)
    assert not final and job.status == "Running"
    assert reads[-1] == 2.0
    clock = Clock()
    sync_reads: list[float] = []

    def read() -> Seen:
        sync_reads.append(clock.now)
        return Seen("Running")

    def pause(seconds: float) -> None:
        clock.now += seconds

    follow_job(read, timeout=2.0, pause=pause, first=0.02, clock=clock)
    assert reads == sync_reads  # one policy: the same reads at the same times


def test_async_a_zero_timeout_reads_once():
    job, final, reads, waits = follow_async(["Running"], timeout=0)
    assert (final, reads, waits) == (False, [0.0], [])
