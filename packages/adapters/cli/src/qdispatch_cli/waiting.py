"""Following a job to its end with a live line on stderr: status, executables done, elapsed."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from qdispatch_cli import output

if TYPE_CHECKING:
    from qdispatch import App
    from qdispatch_core.domain import User
    from qdispatch_core.schemas import JobView


class StillRunning(Exception):
    """`--timeout` ran out; `.job` is the job as last read."""

    def __init__(self, job: JobView) -> None:
        super().__init__(job.id)
        self.job = job


def read(app: App, user: User, job_id: str) -> JobView:
    from qdispatch_core import usecases

    return usecases.get_job(app.services, user, job_id).job


def follow(
    app: App, user: User, job_id: str, *, timeout: float | None = None, live: bool = True
) -> JobView:
    """Poll until the job is final; StillRunning after `timeout` seconds.

    When this process's own worker runs the job (`run --wait`), a pause ends as soon as that
    worker finishes a job, so the result shows without waiting out the poll interval."""
    from qdispatch.following import follow

    with _progress(live) as progress:
        task: int | None = None

        def show(job: JobView) -> None:
            # The line is drawn at the first read, so its first frame shows the job as it is.
            nonlocal task
            if task is None:
                task = progress.add_task(**_line(job))
            else:
                progress.update(task, **_line(job))

        job, final = follow(app, lambda: read(app, user, job_id), timeout=timeout, on_update=show)
    if not final:
        raise StillRunning(job)
    return job


class _NoProgress:
    """Stands in for Rich's progress display off a terminal, where it would draw nothing:
    importing it costs more than the wait it decorates for a short job."""

    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def add_task(self, **fields: object) -> int:
        return 0

    def update(self, task: int, **fields: object) -> None:
        pass


def _progress(live: bool):
    if not (live and output.err().is_terminal):  # off a terminal it only adds noise
        return _NoProgress()
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("executables"),
        TimeElapsedColumn(),
        console=output.err(),
        transient=True,
    )


def _line(job: JobView) -> dict:
    return {
        "description": f"{job.id} {output.status_text(job.status)}",
        "completed": job.progress.done,
        "total": job.progress.total or None,
    }


def keep_running(app: App) -> str:
    """Make sure something finishes the job after this process lets go; says what happens."""
    from qdispatch.background import ensure_background_worker, worker_running

    if ensure_background_worker(app.settings):
        return "a background worker was started to finish it"
    if os.environ.get("QDISPATCH_AUTOSTART_WORKER", "1") == "0" and not worker_running(
        app.settings
    ):
        return (
            "no background worker is started (QDISPATCH_AUTOSTART_WORKER=0): run `qdispatch worker`"
        )
    return "a background worker is running it"
