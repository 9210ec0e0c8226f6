"""The one wait loop: back-off, timeout, and the job last read always returned."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from qdispatch_core.usecases.following import LONGEST_PAUSE_S, Backoff, follow_job


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
