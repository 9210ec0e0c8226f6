"""Local jobs in shards on the fakes: layout, progress, the wall-clock budget, the lease keeper
and handing a job back when the worker stops."""

from __future__ import annotations

import threading
import time

import pytest

from qdispatch_core.domain import JobStatus, ShardStatus
from qdispatch_core.rules.shards import MAX_SHARDS, layout, shard_size
from qdispatch_core.testing import FakeBackend
from qdispatch_core.usecases import cancel_job
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_core.usecases.leases import LeaseKeeper
from tests.conftest import fake_services, run_all
from tests.core.test_execution import job_of, submit
from tests.core.test_execution import setup as make_setup
from tests.samples import PARAM_2Q


def sweep(services, user, experiment, n: int, **overrides) -> str:
    sets = [[0.01 * i, 0.2] for i in range(n)]
    return submit(
        services, user, experiment, circuits_qasm=[PARAM_2Q], parameters=sets, **overrides
    )


def shards_of(services, job_id):
    with services.repository.read() as uow:
        return uow.shards.list(job_id)


def run_in_thread(runner, job):
    done = threading.Event()
    box = {}

    def go():
        box["job"] = runner.run(job)
        done.set()

    threading.Thread(target=go, daemon=True).start()
    return done, box


def eventually(check, what, deadline=30.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if value := check():
            return value
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


# -- layout ---------------------------------------------------------------------------------


def test_shards_aim_at_the_target_seconds_and_cover_the_plan_once():
    assert shard_size(100, 0.5, 5.0) == 10
    assert shard_size(100, 10.0, 5.0) == 1  # a slow executable still gets a shard of its own
    assert shard_size(7, 1e-6, 5.0) == 7  # never larger than the job
    assert shard_size(10**6, 1e-9, 5.0) * MAX_SHARDS >= 10**6  # never too many shards
    shards = layout(23, 5)
    assert [(s.first, s.count) for s in shards] == [(0, 5), (5, 5), (10, 5), (15, 5), (20, 3)]
    assert [s.index for s in shards] == list(range(5))


def test_a_sweep_runs_in_shards_with_the_layout_logged_and_progress_stored():
    backend = FakeBackend(delay=0.001)
    services, user, experiment, _ = make_setup(backend)
    job_id = sweep(services, user, experiment, 10)
    run_all(JobRunner(services, WorkerConfig("w", shard_seconds=0.0035)))  # 3 per shard
    job = job_of(services, user, job_id)
    assert job.status == "Done" and (job.progress.done, job.progress.total) == (10, 10)
    assert [(s.first, s.count) for _, s in backend.shards_run] == [(0, 3), (3, 3), (6, 3), (9, 1)]
    assert any("4 shard(s) of up to 3 executable(s)" in line for line in job.logs)
    assert len(job.results[0]) == 10
    assert shards_of(services, job_id) == []  # gone once final


# -- the wall-clock budget ------------------------------------------------------------------


def test_a_job_over_its_wall_clock_budget_ends_in_error_saying_how_to_change_it():
    backend = FakeBackend(delay=0.05)
    services, user, experiment, _ = make_setup(backend)
    job_id = sweep(services, user, experiment, 200)
    config = WorkerConfig(
        "w",
        budget_seconds=60,
        device_budgets={"dummy_simulator": 0.5},
        budget_hint="raise it with SOME_SETTING",
    )
    began = time.monotonic()
    run_all(JobRunner(services, config))
    job = job_of(services, user, job_id)
    assert job.status == "Error" and time.monotonic() - began < 10
    assert "exceeded its wall-clock budget of 0.5 s on dummy_simulator" in job.error
    assert job.error.endswith("raise it with SOME_SETTING")
    assert job.results is None and shards_of(services, job_id) == []


def test_the_budget_counts_the_shards_stored_before_a_restart():
    backend = FakeBackend(delay=0.02)
    services, user, experiment, clock = make_setup(backend)
    job_id = sweep(services, user, experiment, 40)
    config = WorkerConfig("w1", lease_seconds=10, shard_seconds=0.2)  # 10 per shard
    runner = JobRunner(services, config)
    done, _ = run_in_thread(runner, runner.claim_next())
    eventually(lambda: job_of(services, user, job_id).progress.done >= 10, "a stored shard")
    runner.stopping.set()
    assert done.wait(10)
    spent = sum(r.seconds for r in shards_of(services, job_id))
    assert spent > 0
    # A budget below what is already spent ends the job at the next shard.
    run_all(JobRunner(services, WorkerConfig("w2", shard_seconds=0.2, budget_seconds=spent / 2)))
    assert job_of(services, user, job_id).status == "Error"


# -- leases ---------------------------------------------------------------------------------


def test_the_lease_keeper_renews_a_job_whose_shard_outlasts_the_lease():
    # One shard of 1.5 s under a 0.3 s lease: only the keeper's renewals keep the job.
    backend = FakeBackend(delay=0.15)
    services = fake_services(backend)
    from qdispatch_core.usecases import create_experiment, ensure_user

    user = ensure_user(services, "alice", 100)
    experiment = create_experiment(services, user, "exp")
    job_id = sweep(services, user, experiment, 10)
    keeper = LeaseKeeper(services, 0.3)
    runner = JobRunner(services, WorkerConfig("w1", lease_seconds=0.3), keeper=keeper)
    done, _ = run_in_thread(runner, runner.claim_next())
    rival = JobRunner(services, WorkerConfig("w2", lease_seconds=0.3))
    try:
        while not done.is_set():
            assert rival.claim_next() is None, "the lease lapsed while the shard ran"
            time.sleep(0.02)
    finally:
        keeper.stop()
    job = job_of(services, user, job_id)
    assert job.status == "Done" and keeper.renewals >= 3
    with services.repository.read() as uow:
        assert uow.jobs.get_for_worker(job_id).attempts == 1  # never taken over


def test_a_stopping_worker_hands_its_job_back_at_once_with_the_shards_it_stored():
    backend = FakeBackend(delay=0.05)
    services, user, experiment, clock = make_setup(backend)
    job_id = sweep(services, user, experiment, 100)
    runner = JobRunner(services, WorkerConfig("w1", lease_seconds=600, shard_seconds=0.25))
    done, box = run_in_thread(runner, runner.claim_next())
    eventually(lambda: job_of(services, user, job_id).progress.done >= 5, "a stored shard")
    runner.stopping.set()
    assert done.wait(10)
    with services.repository.read() as uow:
        stored = uow.jobs.get_for_worker(job_id)
    assert stored.status.value == "Running" and stored.lease_expires_at is None
    assert "handed back by worker w1" in stored.logs[-1]
    records = shards_of(services, job_id)
    assert ShardStatus.RUNNING not in {r.status for r in records}
    stored_shards = {r.index for r in records if r.status is ShardStatus.DONE}
    assert stored_shards
    # Long before its 600 s lease would end, another worker takes it and finishes it,
    # running only the shards whose outputs were not stored.
    second = FakeBackend(delay=0.0)
    services.backends.add(second)
    run_all(JobRunner(services, WorkerConfig("w2", shard_seconds=0.25)))
    job = job_of(services, user, job_id)
    assert job.status == "Done" and len(job.results[0]) == 100
    assert {s.index for _, s in second.shards_run} == {r.index for r in records} - stored_shards


@pytest.mark.parametrize("steps", [200])
def test_a_stopping_worker_hands_a_remote_job_back_without_cancelling_it(steps):
    backend = FakeBackend(remote_steps=steps)
    services, user, experiment, _ = make_setup(backend)
    job_id = submit(
        services, user, experiment, device_id="dummy_qpu", options={"fake_token": "tok-123456"}
    )
    runner = JobRunner(services, WorkerConfig("w1", lease_seconds=600))
    done, _ = run_in_thread(runner, runner.claim_next())
    eventually(lambda: job_of(services, user, job_id).status == "Running", "Running")
    runner.stopping.set()
    assert done.wait(10)
    with services.repository.read() as uow:
        stored = uow.jobs.get_for_worker(job_id)
    assert stored.lease_owner is None and stored.provider_job_ids and backend.cancelled == []


def test_the_keeper_keeps_renewing_a_job_one_thread_took_over_from_another():
    """Two threads of one worker: the one that lost the job leaves, the one that took it over
    must still be renewed (a lapse once led to takeovers without end)."""
    services, user, experiment, _ = make_setup(FakeBackend())
    job_id = sweep(services, user, experiment, 1)
    keeper = LeaseKeeper(services, 30)
    with keeper.holding(job_id, "w/0"), keeper.holding(job_id, "w/1"):
        pass
    with keeper.holding(job_id, "w/1"):
        with keeper.holding(job_id, "w/0"):
            pass  # w/0 lost the job and leaves
        assert (job_id, "w/1") in keeper._held
    keeper.stop()


def test_threads_of_one_worker_skip_the_jobs_another_of_them_is_taking():
    """Threads woken together read the same queue: a job one thread is claiming (or running)
    is skipped by the others without a claim that would fail."""
    services, user, experiment, _ = make_setup(FakeBackend())
    for _ in range(3):
        sweep(services, user, experiment, 1)
    with services.repository.read() as uow:  # in claiming order
        first, second, third = uow.jobs.claimable(services.clock(), 10)
    keeper = LeaseKeeper(services, 30)
    mine = JobRunner(services, WorkerConfig("w/0"), keeper=keeper)
    other = JobRunner(services, WorkerConfig("w/1"), keeper=keeper)
    try:
        assert keeper.take(first)  # w/0 is claiming it at this moment
        claimed = other.claim_next()
        assert claimed.id == second and other.more_claimable  # the third still waits
        assert not keeper.take(second)  # claimed and not yet run: still w/1's
        keeper.untake(first)
        assert mine.claim_next().id == first
        # A small job with another waiting: w/1 runs the third with it as a batch (never the
        # first, which w/0 holds).
        other.run(claimed)
        assert [job.id for job in other.ended_alongside] == [third]
        # The run is over: nothing of it is held back.
        assert keeper.take(second) and keeper.take(third)
        assert mine.claim_next() is None
    finally:
        keeper.stop()


# -- small jobs: nothing written between the claim and the end (issue 15) --------------------


def count_write_transactions(services) -> list[int]:
    """Count the repository's write transactions from now on (the list's one item)."""
    count = [0]
    begin, read = services.repository.begin, services.repository.read
    reading = threading.local()  # the memory repository's reads begin a transaction too

    def counting_read():
        reading.now = True
        try:
            return read()
        finally:
            reading.now = False

    def counting_begin():
        if not getattr(reading, "now", False):
            count[0] += 1
        return begin()

    services.repository.begin, services.repository.read = counting_begin, counting_read
    return count


def statuses(job) -> list[str]:
    words = [line.split(" ")[1].rstrip(":") for line in job.logs]
    return [w for w in words if w in {s.value for s in JobStatus}]


def test_a_quick_job_of_one_shard_is_written_at_its_claim_and_its_end_only():
    backend = FakeBackend(delay=0.2)  # one executable: 0.2 s, under the 0.5 s quick bound
    services, user, experiment, _ = make_setup(backend)
    job_id = submit(services, user, experiment)
    writes = count_write_transactions(services)
    runner = JobRunner(services, WorkerConfig("w"))
    done, _ = run_in_thread(runner, runner.claim_next())
    eventually(lambda: backend.shards_run, "the simulation under way")
    with services.repository.read() as uow:  # while it simulates: only the claim is stored,
        during = uow.jobs.get_for_worker(job_id)  # a lease (its statuses come with its end)
    assert during.status is JobStatus.SUBMITTED and during.lease_owner == "w"
    assert shards_of(services, job_id) == []
    assert done.wait(10)
    job = job_of(services, user, job_id)
    assert job.status == "Done" and sum(job.results[0].values()) == 1024
    assert statuses(job) == ["Submitted", "Initializing", "Validating", "Queued", "Running", "Done"]
    assert job.started_at <= job.finished_at
    assert writes[0] == 2  # the claim, the end


def test_a_job_over_the_quick_bound_stores_its_layout_and_shard_first():
    backend = FakeBackend(delay=0.2)
    services, user, experiment, _ = make_setup(backend)
    job_id = submit(services, user, experiment)
    writes = count_write_transactions(services)
    runner = JobRunner(services, WorkerConfig("w", quick_seconds=0.1))
    done, _ = run_in_thread(runner, runner.claim_next())
    eventually(lambda: backend.shards_run, "the simulation under way")
    with services.repository.read() as uow:
        during = uow.jobs.get_for_worker(job_id)
    assert during.status is JobStatus.RUNNING
    assert [r.status for r in shards_of(services, job_id)] == [ShardStatus.RUNNING]
    assert done.wait(10)
    assert job_of(services, user, job_id).status == "Done"
    assert writes[0] == 3  # the claim, the layout with its first shard, the end
    assert shards_of(services, job_id) == []


def test_a_quick_job_cancelled_while_it_simulates_ends_cancelled_and_stays_so():
    backend = FakeBackend(delay=0.4)
    services, user, experiment, _ = make_setup(backend)
    job_id = submit(services, user, experiment)
    runner = JobRunner(services, WorkerConfig("w", local_poll=0.05))
    done, box = run_in_thread(runner, runner.claim_next())
    eventually(lambda: backend.shards_run, "the simulation under way")
    cancel_job(services, user, job_id)
    assert done.wait(10)
    job = job_of(services, user, job_id)
    assert job.status == "Cancelled" and job.results is None
    assert box["job"].status is JobStatus.CANCELLED  # the worker did not write over it


def test_a_quick_job_whose_worker_died_is_run_again_from_the_start():
    backend = FakeBackend()
    services, user, experiment, clock = make_setup(backend)
    job_id = submit(services, user, experiment)
    dead = JobRunner(services, WorkerConfig("dead", lease_seconds=30))
    assert dead.claim_next().id == job_id  # claimed, then the worker is killed
    clock.advance(31)
    run_all(JobRunner(services, WorkerConfig("w2")))
    job = job_of(services, user, job_id)
    assert job.status == "Done" and sum(job.results[0].values()) == 1024
    assert statuses(job) == ["Submitted", "Initializing", "Validating", "Queued", "Running", "Done"]
    with services.repository.read() as uow:
        assert uow.jobs.get_for_worker(job_id).attempts == 2
