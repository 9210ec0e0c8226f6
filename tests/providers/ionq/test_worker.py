"""The IonQ backend driven by the real worker: submission, a worker that dies while IonQ runs
the job, a second worker that re-attaches by the stored IonQ job id, and a key that appears in
no stored field and no log line."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from qdispatch_core.registry import BackendRegistry
from qdispatch_core.testing import FakeCipher, InMemoryRepository
from qdispatch_core.usecases import Services, create_experiment, ensure_user, get_job, submit_run
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_ionq import IonQBackend
from qdispatch_qiskit import QiskitToolkit
from tests.conftest import run_all
from tests.providers.ionq.conftest import API_KEY
from tests.providers.ionq.fake_ionq import FakeIonQ
from tests.samples import BELL_QASM2


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Crash(BaseException):
    """A worker process dying: nothing in the worker catches it."""


class DiesOnSecondPoll(IonQBackend):
    polls = 0

    def poll(self, device, job_ids, credentials):
        DiesOnSecondPoll.polls += 1
        if DiesOnSecondPoll.polls == 2:
            raise Crash()
        return super().poll(device, job_ids, credentials)


@pytest.fixture
def server():
    fake = FakeIonQ(API_KEY, states=("submitted", "submitted", "running", "completed"))
    yield fake
    fake.close()


def test_a_worker_restart_reattaches_to_the_ionq_job(server, caplog):
    caplog.set_level(logging.DEBUG)
    clock = Clock()
    registry = BackendRegistry(use_entry_points=False)
    registry.add(DiesOnSecondPoll(remote_host=server.url))
    services = Services(InMemoryRepository(), registry, QiskitToolkit(), FakeCipher(), clock=clock)
    user = ensure_user(services, "alice", 100)
    experiment = create_experiment(services, user, "ionq")
    request = {
        "experiment_id": experiment.id,
        "circuits_qasm": [BELL_QASM2],
        "device_id": "ionq_qpu_forte_1",
        "shots": 1000,
        "options": {"ionq_api_key": API_KEY},
    }
    job_id = submit_run(services, user, request).job_id
    first = JobRunner(services, WorkerConfig("w1", lease_seconds=10), sleep=lambda s: None)
    with pytest.raises(Crash):
        first.run(first.claim_next())
    stored = get_job(services, user, job_id).job
    assert stored.status == "Queued" and len(stored.provider_job_ids) == 1
    assert stored.provider_job_ids[0] in server.jobs  # the IonQ id was stored before polling

    registry.add(IonQBackend(remote_host=server.url))  # the new worker process's backend
    clock.now += timedelta(seconds=11)  # the dead worker's lease runs out
    run_all(JobRunner(services, WorkerConfig("w2", lease_seconds=10), sleep=lambda s: None))
    response = get_job(services, user, job_id)
    job = response.job
    assert job.status == "Done", job.error
    assert "re-attached" in " ".join(job.logs) and len(server.bodies()) == 1
    (counts,) = job.results
    assert set(counts) == {"00", "11"} and sum(counts.values()) == 1000
    # the fake bills 1000 shots x (0.0001 per H + 0.001 per CNOT), read back from /cost
    assert job.cost.converted["amount"] == pytest.approx(1.1)
    # the estimate: the account's rates from IonQ's estimate endpoint, asked with the job's key
    # (published list prices would say 12.4166), so it matches the bill
    assert job.estimated_cost.converted["amount"] == pytest.approx(1.1)
    assert len([r for r in server.requests if r[1] == "/v0.4/jobs/estimate"]) == 1

    assert server.authorizations() == {f"apiKey {API_KEY}"}
    assert API_KEY not in response.model_dump_json()
    assert API_KEY not in str(services.repository.state)
    assert API_KEY not in caplog.text
