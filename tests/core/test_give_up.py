"""The give-up rule: a job re-claimed after its worker died more than `crash_retries` times
ends Error with a message saying so, instead of being run (and killing a worker) again."""

from __future__ import annotations

import pytest

from qdispatch_core.testing import FakeBackend
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from tests.core.test_execution import Crash, job_of, remote, setup, submit
from tests.samples import BELL_QASM2

LEASE = 10


class KillsItsWorker(FakeBackend):
    """Every run takes its worker down (a simulation that exhausts memory, say)."""

    def submit(self, device, spec, credentials):  # the remote device
        super().submit(device, spec, credentials)
        raise Crash()

    def run_shard(self, device, spec, shard, credentials):  # the local one
        super().run_shard(device, spec, shard, credentials)
        raise Crash()


def crash_once(services, clock, worker: str) -> None:
    runner = JobRunner(services, WorkerConfig(worker, lease_seconds=LEASE, crash_retries=2))
    job = runner.claim_next()
    assert job is not None
    with pytest.raises(Crash):
        runner.run(job)
    clock.advance(LEASE + 1)  # the dead worker's lease runs out


def test_after_the_retries_the_job_ends_error_without_running_again():
    backend = KillsItsWorker()
    services, user, experiment, clock = setup(backend)
    job_id = submit(services, user, experiment)
    for n in range(3):  # the first claim and two retries
        crash_once(services, clock, f"host:{n}:x/0")
    assert len(backend.shards_run) == 3
    runner = JobRunner(services, WorkerConfig("host:9:x/0", crash_retries=2))
    ended = runner.run(runner.claim_next())
    job = job_of(services, user, job_id)
    assert ended.status.value == job.status == "Error"
    assert job.error.startswith("gave up: the job was claimed 3 times before")
    assert "QDISPATCH_JOB_CRASH_RETRIES" in job.error
    assert len(backend.shards_run) == 3  # not run a fourth time
    with services.repository.begin() as uow:
        assert uow.secrets.get(job_id) is None  # nothing left behind


def test_within_the_retries_the_job_still_runs():
    services, user, experiment, clock = setup(KillsItsWorker())
    job_id = submit(services, user, experiment)
    for n in range(2):
        crash_once(services, clock, f"host:{n}:x/0")
    healthy = FakeBackend()
    services.backends.add(healthy)
    runner = JobRunner(services, WorkerConfig("host:9:x/0", crash_retries=2))
    runner.run(runner.claim_next())
    assert job_of(services, user, job_id).status == "Done" and len(healthy.shards_run) == 1


def test_zero_retries_gives_up_at_the_first_re_claim():
    services, user, experiment, clock = setup(KillsItsWorker())
    job_id = submit(services, user, experiment, **remote())
    crash_once(services, clock, "host:1:x/0")
    runner = JobRunner(services, WorkerConfig("host:2:x/0", crash_retries=0))
    runner.run(runner.claim_next())
    job = job_of(services, user, job_id)
    assert job.status == "Error" and "claimed 1 time before" in job.error


def test_a_lease_lost_by_a_live_thread_of_the_same_process_does_not_count():
    """A thread starved past its lease is alive: another thread of the same worker process
    taking the job over is not a crash."""
    services, user, experiment, clock = setup(FakeBackend())
    job_id = submit(services, user, experiment, circuits_qasm=[BELL_QASM2])
    for thread in range(5):
        runner = JobRunner(services, WorkerConfig(f"host:1:x/{thread}", lease_seconds=LEASE))
        assert runner.claim_next() is not None
        clock.advance(LEASE + 1)
    with services.repository.begin() as uow:
        assert uow.jobs.get_for_worker(job_id).attempts == 1  # four takeovers forgiven
    runner = JobRunner(services, WorkerConfig("host:2:x/0", crash_retries=0))
    job = runner.claim_next()
    assert job is not None and job.attempts == 2  # another process: this one counts
