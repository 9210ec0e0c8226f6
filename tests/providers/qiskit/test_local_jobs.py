"""The local job executor every simulator provider runs its jobs on: ids, progress, waiting,
cancelling, failures, forgetting, closing. Work functions here are plain Python, gated by
events, so every interleaving is deterministic."""

from __future__ import annotations

import re
import threading

import pytest

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import BadRequest, ProviderError
from qdispatch_core.ports.backend import RemoteState
from qdispatch_qiskit.local_jobs import JobRegistry, LocalJob, LocalJobs

S = JobStatus
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.fixture
def jobs():
    pool = LocalJobs("sim", label="Sim job", failure="the simulation failed", workers=1)
    yield pool
    pool.shutdown()


def blocked(gate: threading.Event, started: threading.Event | None = None):
    """Work that waits for `gate` (and says when it has started)."""

    def work(job: LocalJob) -> None:
        if started is not None:
            started.set()
        assert gate.wait(5)

    return work


def test_ids_carry_the_prefix_and_unknown_ones_name_the_provider(jobs):
    job = jobs.start(1, lambda j: None)
    assert re.fullmatch(f"sim-{UUID}", job.id)
    assert jobs.wait(job.id, 5).status is S.DONE
    with pytest.raises(ProviderError) as unknown:
        jobs.get("sim-gone")
    assert str(unknown.value) == (
        "unknown Sim job id 'sim-gone' (local jobs exist only in the process that ran them)"
    )


def test_work_reports_progress_outputs_notes_and_a_result(jobs):
    gate, halfway = threading.Event(), threading.Event()

    def work(job: LocalJob) -> None:
        job.outputs[0] = "first"
        job.done = 1
        halfway.set()
        assert gate.wait(5)
        job.outputs[1] = "second"
        job.done = 2
        job.notes.append("ran twice")
        job.result = {"extra": True}

    job = jobs.start(2, work)
    assert halfway.wait(5)
    assert jobs.state(job.id) == RemoteState(S.RUNNING, 1, None)
    gate.set()
    assert jobs.wait(job.id, 5) == RemoteState(S.DONE, 2, None)
    done = jobs.finished_job(job.id)
    assert done.outputs == ["first", "second"] and done.notes == ["ran twice"]
    assert done.result == {"extra": True}


def test_wait_returns_at_its_timeout_while_the_job_runs(jobs):
    gate, started = threading.Event(), threading.Event()
    job = jobs.start(1, blocked(gate, started))
    assert started.wait(5)
    assert jobs.wait(job.id, 0.01).status is S.RUNNING
    gate.set()
    assert jobs.wait(job.id, 5).status is S.DONE


def test_a_queued_job_cancelled_never_starts(jobs):
    gate, started = threading.Event(), threading.Event()
    busy = jobs.start(1, blocked(gate, started))
    assert started.wait(5)
    ran = []
    queued = jobs.start(1, lambda j: ran.append(j.id))  # one worker: it waits its turn
    assert jobs.state(queued.id).status is S.QUEUED
    jobs.cancel(queued.id)
    assert jobs.state(queued.id) == RemoteState(S.CANCELLED, 0, "cancelled before it started")
    gate.set()
    assert jobs.wait(busy.id, 5).status is S.DONE
    assert ran == []


def test_a_running_job_stops_where_its_work_checks(jobs):
    gate, started = threading.Event(), threading.Event()

    def work(job: LocalJob) -> None:
        for k in range(job.total):
            if job.stop_if_cancelled(f"cancelled after {k} of {job.total} batches"):
                return
            job.done = k + 1
            started.set()
            assert gate.wait(5)

    job = jobs.start(3, work)
    assert started.wait(5)
    jobs.cancel(job.id)
    gate.set()
    assert jobs.wait(job.id, 5) == RemoteState(S.CANCELLED, 1, "cancelled after 1 of 3 batches")
    with pytest.raises(ProviderError, match=f"Sim job {job.id} has no results \\(it is "):
        jobs.finished_job(job.id)


def test_work_that_ignores_cancellation_finishes_done(jobs):
    gate, started = threading.Event(), threading.Event()
    job = jobs.start(1, blocked(gate, started))
    assert started.wait(5)
    jobs.cancel(job.id)
    gate.set()
    assert jobs.wait(job.id, 5).status is S.DONE


def test_cancelling_a_finished_job_changes_nothing(jobs):
    job = jobs.start(1, lambda j: None)
    assert jobs.wait(job.id, 5).status is S.DONE
    jobs.cancel(job.id)
    assert jobs.state(job.id).status is S.DONE


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (BadRequest("options['x']: not here", field="options['x']"), "options['x']: not here"),
        (ProviderError("the device went away"), "the device went away"),
        (RuntimeError("out of cheese"), "the simulation failed (RuntimeError): out of cheese"),
    ],
)
def test_a_failure_ends_the_job_in_error_with_a_message(jobs, error, message):
    def work(job: LocalJob) -> None:
        raise error

    job = jobs.start(1, work)
    assert jobs.wait(job.id, 5) == RemoteState(S.ERROR, 0, message)
    with pytest.raises(ProviderError, match="has no results \\(it is Error\\)"):
        jobs.finished_job(job.id)


def test_finished_jobs_are_forgotten_beyond_the_limit():
    jobs = LocalJobs("sim", label="Sim job", failure="failed", workers=1, keep_finished=2)
    started = [jobs.start(1, lambda job: None) for _ in range(4)]
    for job in started:
        assert job.finished.wait(5)
    jobs.start(1, lambda job: None).finished.wait(5)
    with pytest.raises(ProviderError):
        jobs.get(started[0].id)
    assert jobs.get(started[-1].id).status is S.DONE
    jobs.shutdown()


def test_unfinished_jobs_are_never_forgotten():
    jobs = LocalJobs("sim", label="Sim job", failure="failed", workers=1, keep_finished=0)
    gate, started = threading.Event(), threading.Event()
    running = jobs.start(1, blocked(gate, started))
    assert started.wait(5)
    queued = [jobs.start(1, lambda job: None) for _ in range(3)]
    assert jobs.get(running.id) is running
    assert all(jobs.get(job.id) is job for job in queued)
    gate.set()
    jobs.shutdown()


def test_shutdown_cancels_what_has_not_started():
    jobs = LocalJobs("sim", label="Sim job", failure="failed", workers=1)
    gate, started = threading.Event(), threading.Event()
    busy = jobs.start(1, blocked(gate, started))
    assert started.wait(5)
    queued = jobs.start(1, lambda job: None)
    jobs.shutdown()
    assert jobs.state(queued.id) == RemoteState(S.CANCELLED, 0, "the backend was closed")
    assert busy.cancel_requested.is_set()
    gate.set()
    assert jobs.wait(busy.id, 5).status is S.DONE


def test_the_pool_threads_are_named_after_the_prefix(jobs):
    names = []
    job = jobs.start(1, lambda j: names.append(threading.current_thread().name))
    jobs.wait(job.id, 5)
    assert names[0].startswith("sim-job")


# -- the registry alone (providers whose SDK runs the job in its own thread) ------------------


class Entry:
    def __init__(self) -> None:
        self.done = False


def test_a_registry_keeps_entries_of_any_kind_under_fresh_ids():
    registry: JobRegistry[Entry] = JobRegistry(
        "twin", "local twin job", lambda e: e.done, kind="twin jobs"
    )
    entry = Entry()
    job_id = registry.add(entry)
    assert re.fullmatch(f"twin-{UUID}", job_id) and registry.get(job_id) is entry
    assert registry.add(Entry()) != job_id
    assert registry.add(entry, "twin-chosen") == "twin-chosen"
    with pytest.raises(ProviderError, match=r"^unknown local twin job id 'x' \(twin jobs exist"):
        registry.get("x")


def test_a_registry_forgets_the_oldest_finished_entries_only():
    registry: JobRegistry[Entry] = JobRegistry("t", "t job", lambda e: e.done, keep_finished=1)
    old_running, old_done, new_done = Entry(), Entry(), Entry()
    old_done.done = new_done.done = True
    ids = [registry.add(e) for e in (old_running, old_done, new_done)]
    assert registry.get(ids[0]) is old_running  # still running: kept
    with pytest.raises(ProviderError):
        registry.get(ids[1])
    assert registry.get(ids[2]) is new_done
    assert registry.entries() == [old_running, new_done]
