import time

import pytest

from qdispatch import Client, JobFailed
from qdispatch.worker import Worker
from qdispatch_core.errors import BadRequest, NotFound
from qdispatch_core.testing import FakeBackend
from qdispatch_core.usecases import create_experiment, ensure_user, get_job, submit_run
from tests.app.conftest import fake_app
from tests.samples import BELL_QASM2, PARAM_2Q


def test_a_worker_pool_finishes_every_job_once(app):
    user = ensure_user(app.services, "alice")
    exp = create_experiment(app.services, user, "e")
    ids = [
        submit_run(
            app.services,
            user,
            {
                "experiment_id": exp.id,
                "device_id": "dummy_simulator",
                "circuits_qasm": [BELL_QASM2],
                "shots": 10 + i,
            },
        ).job_id
        for i in range(30)
    ]
    worker = Worker(app.services, threads=3, lease_seconds=5)
    worker.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if all(get_job(app.services, user, i).job.status == "Done" for i in ids):
            break
        time.sleep(0.05)
    worker.stop()
    assert all(get_job(app.services, user, i).job.status == "Done" for i in ids)
    backend = app.backends.get("fake")
    # Each local job ran one shard and was finished once.
    assert sorted(backend.finished) == sorted(ids) and worker.jobs_finished == 30
    assert len(backend.shards_run) == 30


def test_client_runs_waits_and_returns_results(client):
    job = client.run([BELL_QASM2], "dummy_simulator", shots=100)
    view = job.wait(10)
    assert view.status == "Done" and job.status() == "Done"
    (counts,) = job.result().raw
    assert sum(counts.values()) == 100
    assert client.jobs()[0].id == job.id
    assert client.job(job.id).id == job.id


def test_client_sweeps_with_observables(client):
    job = client.run(
        PARAM_2Q,
        "dummy_simulator",
        parameters=[[0.1, 0.2], [0.3, 0.4]],
        observables=[["ZZ"], [1.0]],
        experiment="sweeps",
    )
    results = job.result(10).raw
    assert len(results) == 1 and len(results[0]) == 1 and len(results[0][0]) == 2
    assert len(job.uncertainties()[0][0]) == 2
    assert [e.name for e in client.experiments()] == ["sweeps"]


def test_client_raises_the_contracts_errors(client):
    with pytest.raises(BadRequest) as err:
        client.run([BELL_QASM2], "dummy_simulator", shots=0)
    assert err.value.code == 400 and err.value.field == "shots"
    with pytest.raises(NotFound):
        client.job("job_missing")


def test_a_failed_job_raises_job_failed_with_the_message(tmp_path):
    app = fake_app(tmp_path, FakeBackend(fail_message="device offline"), default_credits="10")
    with Client(app=app) as client:
        job = client.run([BELL_QASM2], "dummy_qpu", options={"fake_token": "tok-secret"})
        with pytest.raises(JobFailed) as err:
            job.result(10)
    assert "device offline" in str(err.value) and err.value.job.status == "Error"


def test_cancel_through_the_handle(tmp_path):
    app = fake_app(tmp_path, FakeBackend(delay=0.05))
    with Client(app=app) as client:
        job = client.run(PARAM_2Q, "dummy_simulator", parameters=[[0.1, i] for i in range(100)])
        time.sleep(0.2)
        job.cancel()
        assert job.wait(10).status == "Cancelled"
        with pytest.raises(JobFailed):
            job.result()


def test_dry_run_needs_no_worker(client):
    job = client.run([BELL_QASM2], "dummy_qpu", dry_run=True)
    assert job.status() == "Done" and job.job().plan["executables"] == 1
    assert client.app._worker is None
