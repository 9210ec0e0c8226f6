"""Issue 5: jobs survive their worker. Real worker processes, a real database, kill -9."""

from __future__ import annotations

from collections import Counter

import pytest

from qdispatch_core.testing.backend import credential_fingerprint, recorded_events
from qdispatch_core.usecases import cancel_job, create_experiment, get_job, list_jobs, submit_run
from tests.app.workers import WorkerProcess, app_for, wait_until, worker_env
from tests.samples import BELL_QASM2, PARAM_2Q

TOKEN = "PLANTED-CREDENTIAL-7d1e9c"


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'jobs.db'}"


def status(app, user, job_id):
    return get_job(app.services, user, job_id).job


def done_count(app, user) -> int:
    return len(list_jobs(app.services, user, status="Done", limit=1000))


def test_kill_9_in_the_middle_of_a_local_job_then_another_worker_finishes_it(tmp_path, sqlite_url):
    env = worker_env(
        tmp_path, sqlite_url, QDISPATCH_FAKE_DELAY="0.05", QDISPATCH_SHARD_SECONDS="0.5"
    )
    with app_for(env) as app:
        user = app.default_user
        exp = create_experiment(app.services, user, "crash")
        job_id = submit_run(
            app.services,
            user,
            {
                "experiment_id": exp.id,
                "device_id": "dummy_simulator",
                "circuits_qasm": [PARAM_2Q],
                "parameters": [[0.01 * i, 0.2] for i in range(80)],
            },
        ).job_id
        first = WorkerProcess(env, tmp_path / "w1.log")
        wait_until(lambda: status(app, user, job_id).progress.done >= 10, 30, "a stored shard")
        first.kill()
        assert status(app, user, job_id).status == "Running"
        second = WorkerProcess(env, tmp_path / "w2.log")
        try:
            wait_until(lambda: status(app, user, job_id).status == "Done", 60, "Done")
        finally:
            second.stop()
        job = status(app, user, job_id)
        assert len(job.results[0]) == 80 and job.progress.done == 80
        # Either a thread of the second worker took the job over when its lease ran out and
        # resumed it from the stored shards, or (before that) its idle threads took the free
        # shards and the one storing the last finished the job: both say so in the job's log.
        said = " ".join(job.logs)
        assert "shard(s) recovered from storage" in said or "stored the last of its shards" in said
        # Eight shards of ten: each ran once, but for those the kill interrupted (one per
        # thread of the first worker: its two threads share the sweep, issue 15), which the
        # second worker ran again; the two processes never ran the same stored shard.
        events = [e for e in recorded_events(tmp_path / "events") if e[1] == job_id]
        runs = [e[0] for e in events if e[0].startswith("shard:")]
        assert sorted(set(runs)) == sorted(f"shard:{i}:{10 * i}:10" for i in range(8))
        assert len(runs) - len(set(runs)) <= 2
        # The simulation processes of both workers took part; the job was finished once.
        assert len({e[2] for e in events if e[0].startswith("shard:")}) >= 2
        assert [e[0] for e in events].count("finish") == 1


def test_a_remote_job_is_reattached_and_charged_once_and_its_credential_never_leaks(
    tmp_path, sqlite_url
):
    env = worker_env(tmp_path, sqlite_url, QDISPATCH_FAKE_REMOTE_STEPS="80")
    with app_for(env) as app:
        user = app.default_user
        exp = create_experiment(app.services, user, "remote")
        response = submit_run(
            app.services,
            user,
            {
                "experiment_id": exp.id,
                "device_id": "dummy_qpu",
                "circuits_qasm": [BELL_QASM2],
                "shots": 1000,
                "options": {"fake_token": TOKEN},
            },
        )
        job_id = response.job_id
        first = WorkerProcess(env, tmp_path / "w1.log")
        wait_until(lambda: status(app, user, job_id).status == "Running", 30, "Running")
        first.kill()
        second = WorkerProcess(env, tmp_path / "w2.log")
        try:
            wait_until(lambda: status(app, user, job_id).status == "Done", 60, "Done")
        finally:
            second.stop()
        job = get_job(app.services, user, job_id)
        assert "re-attached" in " ".join(job.job.logs)
        events = [e for e in recorded_events(tmp_path / "events") if e[1] == job_id]
        assert [e[0] for e in events] == ["submit", "fetch"]  # submitted once, fetched once
        fingerprint = credential_fingerprint({"fake_token": TOKEN})
        assert all(e[3] == fingerprint for e in events)  # the credential survived the restart
        with app.services.repository.begin() as uow:
            kinds = Counter(
                e.kind.value for e in uow.billing.entries(user.id) if e.job_id == job_id
            )
            assert uow.secrets.get(job_id) is None  # deleted once final
        assert kinds["charge"] == 1 and kinds["reserve"] == 1
        for text in (response.model_dump_json(), job.model_dump_json(), first.log(), second.log()):
            assert TOKEN not in text
        for path in (tmp_path).glob("jobs.db*"):
            assert TOKEN.encode() not in path.read_bytes()


def test_a_cancel_requested_while_the_worker_was_dead_is_honoured(tmp_path, sqlite_url):
    env = worker_env(tmp_path, sqlite_url, QDISPATCH_FAKE_REMOTE_STEPS="200")
    with app_for(env) as app:
        user = app.default_user
        exp = create_experiment(app.services, user, "cancel")
        job_id = submit_run(
            app.services,
            user,
            {
                "experiment_id": exp.id,
                "device_id": "dummy_qpu",
                "circuits_qasm": [BELL_QASM2],
                "options": {"fake_token": TOKEN},
            },
        ).job_id
        first = WorkerProcess(env, tmp_path / "w1.log")
        wait_until(lambda: status(app, user, job_id).status == "Running", 30, "Running")
        first.kill()
        assert cancel_job(app.services, user, job_id).job.cancel_requested
        second = WorkerProcess(env, tmp_path / "w2.log")
        try:
            wait_until(lambda: status(app, user, job_id).status == "Cancelled", 60, "Cancelled")
        finally:
            second.stop()
        job = status(app, user, job_id)
        assert job.results is None and job.cost is None


@pytest.mark.postgres
def test_two_worker_processes_on_postgresql_run_200_jobs_exactly_once(tmp_path, postgres_url):
    # No crash here, so a lease long enough that load on 2 cores can never expire it.
    # Each job takes a little simulated work, so neither worker can drain the queue alone
    # before the other is up.
    env = worker_env(
        tmp_path, postgres_url, QDISPATCH_LEASE_SECONDS="15", QDISPATCH_FAKE_DELAY="0.02"
    )
    with app_for(env) as app:
        user = app.default_user
        exp = create_experiment(app.services, user, "many")
        # Both workers are running before the first job exists.
        workers = [WorkerProcess(env, tmp_path / f"w{i}.log", threads=3) for i in range(2)]
        try:
            wait_until(lambda: all("started" in w.log() for w in workers), 60, "workers")
        except AssertionError:
            for w in workers:
                w.stop()
            raise
        ids = [
            submit_run(
                app.services,
                user,
                {
                    "experiment_id": exp.id,
                    "device_id": "dummy_simulator",
                    "circuits_qasm": [BELL_QASM2],
                    "shots": 100 + i,
                },
            ).job_id
            for i in range(200)
        ]
        try:
            wait_until(lambda: done_count(app, user) == 200, 120, "all 200 jobs Done")
        finally:
            for w in workers:
                w.stop()
        events = recorded_events(tmp_path / "events")
        # A local job is one shard, run in a worker's simulation process, then finished by
        # the worker itself: each exactly once.
        finishes = Counter(e[1] for e in events if e[0] == "finish")
        shards = Counter(e[1] for e in events if e[0].startswith("shard:"))
        assert set(finishes) == set(ids) and set(finishes.values()) == {1}
        assert set(shards) == set(ids) and set(shards.values()) == {1}
        pids = {e[2] for e in events if e[0] == "finish"}
        assert len(pids) == 2, "both worker processes should have taken jobs"
