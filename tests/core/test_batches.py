"""Small local jobs in batches (issue 15, usecases/batches.py) on the fakes: one claim, one
round trip to the executor and one final transaction for the quick jobs waiting together, each
job still ending on its own terms (a failure, a cancel, a lost lease, a stopping worker)."""

from __future__ import annotations

import dataclasses

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.executor import LocalBatch
from qdispatch_core.testing import FakeBackend
from qdispatch_core.usecases import cancel_job
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_core.usecases.local_work import ThreadExecutor
from tests.conftest import run_all
from tests.core.test_execution import job_of, submit
from tests.core.test_execution import setup as make_setup
from tests.core.test_execution_shards import (
    count_write_transactions,
    eventually,
    run_in_thread,
    statuses,
    sweep,
)

FULL_LIFE = ["Submitted", "Initializing", "Validating", "Queued", "Running", "Done"]


class CountingExecutor(ThreadExecutor):
    """The in-process executor, recording what each start was given."""

    def __init__(self) -> None:
        self.started: list[object] = []

    def start(self, work, backends):
        self.started.append(work)
        return super().start(work, backends)


class PickyBackend(FakeBackend):
    """Fails the simulation of any job run with 77 shots."""

    def run_shard(self, device, spec, shard, credentials):
        if spec.shots == 77:
            raise ProviderError("the simulator refused 77 shots")
        return super().run_shard(device, spec, shard, credentials)


def with_executor(services, executor):
    return dataclasses.replace(services, executor=executor)


def bell_jobs(services, user, experiment, count, **overrides):
    return [submit(services, user, experiment, **overrides) for _ in range(count)]


def test_small_jobs_waiting_together_run_as_one_batch_claimed_and_ended_in_one_go():
    services, user, experiment, _ = make_setup(FakeBackend())
    executor = CountingExecutor()
    services = with_executor(services, executor)
    ids = bell_jobs(services, user, experiment, 6)
    writes = count_write_transactions(services)
    runner = JobRunner(services, WorkerConfig("w"))
    lead = runner.claim_next()
    assert lead.id in ids and runner.more_claimable
    ended = runner.run(lead)
    assert ended.status is JobStatus.DONE
    assert sorted(j.id for j in runner.ended_alongside) == sorted(set(ids) - {lead.id})
    # The lead's claim, the others' claim, one end for all six.
    assert writes[0] == 3
    assert len(executor.started) == 1 and isinstance(executor.started[0], LocalBatch)
    assert len(executor.started[0].works) == 6
    for job_id in ids:
        job = job_of(services, user, job_id)
        assert job.status == "Done" and sum(job.results[0].values()) == 1024
        assert statuses(job) == FULL_LIFE and job.started_at <= job.finished_at
        with services.repository.read() as uow:
            assert uow.jobs.get_for_worker(job_id).lease_owner is None


def test_a_batch_gives_the_results_each_job_gets_alone():
    def results(batch_jobs):
        services, user, experiment, _ = make_setup(FakeBackend())
        ids = [submit(services, user, experiment, shots=100 * (i + 1)) for i in range(5)]
        run_all(JobRunner(services, WorkerConfig("w", batch_jobs=batch_jobs)))
        jobs = [job_of(services, user, job_id) for job_id in ids]
        assert all(job.status == "Done" for job in jobs)
        return [(job.results, job.cost, job.plan) for job in jobs]

    assert results(16) == results(1)


def test_a_job_failing_in_a_batch_fails_alone():
    services, user, experiment, _ = make_setup(PickyBackend())
    good = bell_jobs(services, user, experiment, 2)
    bad = submit(services, user, experiment, shots=77)
    more = bell_jobs(services, user, experiment, 2)
    run_all(JobRunner(services, WorkerConfig("w")))
    failed = job_of(services, user, bad)
    assert failed.status == "Error" and "refused 77 shots" in failed.error
    assert failed.results is None
    for job_id in good + more:
        assert job_of(services, user, job_id).status == "Done"


def test_a_job_cancelled_while_its_batch_simulates_ends_cancelled_the_others_done():
    backend = FakeBackend(delay=0.15)  # 0.15 s each: quick, the batch of four 0.6 s
    services, user, experiment, _ = make_setup(backend)
    ids = bell_jobs(services, user, experiment, 4)
    runner = JobRunner(services, WorkerConfig("w", local_poll=0.02))
    lead = runner.claim_next()
    assert lead is not None
    # The fake clock gives the jobs one creation time: which one leads is the id's luck.
    target = next(i for i in ids if i != lead.id)
    done, box = run_in_thread(runner, lead)
    eventually(lambda: backend.shards_run, "the batch under way")
    cancel_job(services, user, target)
    assert done.wait(10)
    cancelled = job_of(services, user, target)
    assert cancelled.status == "Cancelled" and cancelled.results is None
    for job_id in ids:
        if job_id != target:
            assert job_of(services, user, job_id).status == "Done"
    assert box["job"].id == lead.id and box["job"].status is JobStatus.DONE


def test_bigger_jobs_claimed_for_a_batch_are_given_back_untouched_and_run_later():
    backend = FakeBackend(delay=0.01)  # a sweep of 100 sets: 1 s, not a quick job
    services, user, experiment, clock = make_setup(backend)
    first = submit(services, user, experiment)
    clock.advance(1)  # claimed oldest first: this one leads
    big = sweep(services, user, experiment, 100)
    clock.advance(1)
    last = submit(services, user, experiment)
    runner = JobRunner(services, WorkerConfig("w"))
    runner.run(runner.claim_next())
    assert [job.id for job in runner.ended_alongside] == [last]
    with services.repository.read() as uow:
        given_back = uow.jobs.get_for_worker(big)
    assert given_back.lease_owner is None and given_back.attempts == 0
    assert given_back.status is JobStatus.INITIALIZING
    assert runner.more_claimable  # the worker wakes another thread for it
    run_all(JobRunner(services, WorkerConfig("w2")))
    job = job_of(services, user, big)
    assert job.status == "Done" and len(job.results[0]) == 100
    with services.repository.read() as uow:
        assert uow.jobs.get_for_worker(big).attempts == 1  # the give-back did not count
    assert job_of(services, user, first).status == "Done"


def test_a_stopping_worker_hands_back_every_job_of_its_batch():
    backend = FakeBackend(delay=0.3)
    services, user, experiment, _ = make_setup(backend)
    ids = bell_jobs(services, user, experiment, 3)
    runner = JobRunner(services, WorkerConfig("w", local_poll=0.02))
    done, _ = run_in_thread(runner, runner.claim_next())
    eventually(lambda: backend.shards_run, "the batch under way")
    runner.stopping.set()
    assert done.wait(10)
    with services.repository.read() as uow:
        held = [uow.jobs.get_for_worker(job_id) for job_id in ids]
    assert all(not job.is_final and job.lease_owner is None for job in held)
    run_all(JobRunner(services, WorkerConfig("w2")))
    assert all(job_of(services, user, job_id).status == "Done" for job_id in ids)


def test_one_job_per_batch_when_batches_are_off():
    services, user, experiment, _ = make_setup(FakeBackend())
    executor = CountingExecutor()
    services = with_executor(services, executor)
    bell_jobs(services, user, experiment, 3)
    finished = run_all(JobRunner(services, WorkerConfig("w", batch_jobs=1)))
    assert len(finished) == 3 and all(job.status is JobStatus.DONE for job in finished)
    assert [type(work).__name__ for work in executor.started] == ["LocalWork"] * 3
