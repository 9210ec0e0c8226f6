"""The doors' way to follow a job in this process: the core's one wait loop, woken the moment
this process's own worker finishes a job (so `run --wait` and `Job.wait` show a result without
waiting out the poll interval)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from qdispatch_core.usecases.following import FIRST_PAUSE_S, J, follow_job

if TYPE_CHECKING:
    from qdispatch.bootstrap import App
    from qdispatch.worker import Worker


def follow(
    app: App,
    read: Callable[[], J],
    *,
    timeout: float | None,
    on_update: Callable[[J], None] | None = None,
    first: float = FIRST_PAUSE_S,
) -> tuple[J, bool]:
    """`follow_job` with this process's worker as the alarm clock: (job, final?)."""
    worker = app.running_worker
    seen = 0

    def read_marked() -> J:
        # The finish count is taken before the read: a job finishing between the read and
        # the pause still ends the pause.
        nonlocal seen
        seen = worker.jobs_finished if worker is not None else 0
        return read()

    def pause(seconds: float) -> None:
        wait_a_while(worker, seen, seconds)

    return follow_job(read_marked, timeout=timeout, pause=pause, on_update=on_update, first=first)


def wait_a_while(worker: Worker | None, seen: int, seconds: float) -> None:
    """Sleep `seconds`, or less when this process's worker finishes a job after `seen`."""
    if worker is None:
        time.sleep(seconds)
    else:
        worker.wait_for_a_finish(seen, seconds)
