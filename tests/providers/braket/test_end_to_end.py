"""Through the core: submit a run, let a worker execute it on Braket, read nested results; and
a cloud job whose worker dies after submitting, picked up by another worker by task ARN."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from qdispatch_braket import BraketBackend
from qdispatch_core.domain import JobStatus
from qdispatch_core.registry import BackendRegistry
from qdispatch_core.testing import FakeCipher, InMemoryRepository
from qdispatch_core.usecases import Services, create_experiment, ensure_user, submit_run
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_qiskit import QiskitToolkit
from tests.conftest import run_all
from tests.providers.braket import cloud_stub as stub
from tests.providers.braket.test_cloud import FORTE, KEYS, ionq_capabilities
from tests.samples import BELL_QASM2, PARAM_2Q, X_ON_QUBIT0_OF_3

# PARAM_2Q: rx(theta) on qubit 0, ry(phi) on qubit 1, then CNOT 0 -> 1:
# <ZZ> = cos(phi), <IZ> = cos(theta)
SETS = [[0.0, 0.0], [math.pi / 3, 0.4], [math.pi, math.pi / 2]]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _services(repository, backend, clock=None) -> Services:
    registry = BackendRegistry(use_entry_points=False)
    registry.add(backend)
    kwargs = {"clock": clock} if clock else {}
    return Services(repository, registry, QiskitToolkit(), FakeCipher(), **kwargs)


@pytest.fixture(scope="module")
def world():
    backend = BraketBackend()
    services = _services(InMemoryRepository(), backend)
    user = ensure_user(services, "alice", 100)
    experiment = create_experiment(services, user, "braket")
    yield services, user, experiment
    backend.close()


def _read(services, user, job_id):
    with services.repository.begin() as uow:
        return uow.jobs.get(user.id, job_id)


def test_nested_results_from_the_local_simulator(world):
    services, user, experiment = world
    request = {
        "experiment_id": experiment.id,
        "device_id": "braket_local_sv",
        "circuits_qasm": [BELL_QASM2, X_ON_QUBIT0_OF_3],
        "shots": 300,
    }
    job_id = submit_run(services, user, request).job_id
    run_all(JobRunner(services, WorkerConfig("w")))
    job = _read(services, user, job_id)
    assert job.status is JobStatus.DONE, job.error
    bell, x = job.results
    assert set(bell) == {"00", "11"} and x == {"001": 300}
    assert job.cost.to_dict()["converted"]["amount"] == 0.0


def test_observables_and_parameters_nest_circuit_observable_parameter(world):
    services, user, experiment = world
    request = {
        "experiment_id": experiment.id,
        "device_id": "braket_local_sv",
        "circuits_qasm": [PARAM_2Q.replace("c = measure q;\n", "")],
        "parameters": SETS,
        "observables": [[["ZZ"], [1.0]], [["IZ"], [1.0]]],
        "run_type": "StatevectorRun",
    }
    job_id = submit_run(services, user, request).job_id
    run_all(JobRunner(services, WorkerConfig("w")))
    job = _read(services, user, job_id)
    assert job.status is JobStatus.DONE, job.error
    ((zz, iz),) = job.results
    assert zz == [pytest.approx(math.cos(phi), abs=1e-9) for phi, _ in SETS]
    assert iz == [pytest.approx(math.cos(theta), abs=1e-9) for _, theta in SETS]


def test_a_dry_run_on_a_qpu_needs_no_credentials_and_prices_the_plan(world):
    services, user, experiment = world
    request = {
        "experiment_id": experiment.id,
        "device_id": "aws_ionq_forte_1",
        "circuits_qasm": [PARAM_2Q],
        "parameters": SETS,
        "shots": 100,
        "dry_run": True,
    }
    job_id = submit_run(services, user, request).job_id
    job = _read(services, user, job_id)
    assert job.status is JobStatus.DONE and job.results is None
    assert job.estimated_cost.usd == pytest.approx(0.30 + 300 * 0.08)
    assert "1 quantum task(s), 1 of them program sets" in job.plan["notes"][0]
    assert job.plan["circuits"][0]["transpiled_2q_gates"] >= 1


class WorkerDied(BaseException):
    """Stands for the worker process dying: nothing in the worker catches it."""


def test_a_second_worker_reattaches_to_the_first_workers_task(qiskit_toolkit):
    clock = Clock()
    repository = InMemoryRepository()
    with stub.braket_cloud("us-east-1") as east:
        factory = stub.session_factory({"us-east-1": east})
        seen = []

        def recording(credentials, region):
            seen.append(dict(credentials))
            return factory(credentials, region)

        first = BraketBackend(session_factory=recording, min_poll_seconds=0)
        services = _services(repository, first, clock)
        user = ensure_user(services, "alice", 1000)
        experiment = create_experiment(services, user, "cloud")
        request = {
            "experiment_id": experiment.id,
            "device_id": "aws_ionq_forte_1",
            "circuits_qasm": [BELL_QASM2],
            "shots": 100,
            "options": {**KEYS, "s3_bucket": stub.BUCKET, "s3_prefix": stub.PREFIX},
        }
        job_id = submit_run(services, user, request).job_id
        east.device(FORTE, "Forte 1", "IonQ", "QPU", ionq_capabilities())
        (arn,) = east.expect_create(1)

        def die(*args, **kwargs):
            raise WorkerDied

        first.wait = die  # the task exists and its ARN is stored; then the worker dies
        runner = JobRunner(services, WorkerConfig("first", lease_seconds=30), sleep=lambda s: None)
        with pytest.raises(WorkerDied):
            runner.run(runner.claim_next())
        stored = _read(services, user, job_id)
        assert stored.provider_job_ids == (arn,) and stored.status is JobStatus.QUEUED

        clock.now += timedelta(seconds=60)  # the dead worker's lease runs out
        second = BraketBackend(session_factory=recording, min_poll_seconds=0)
        services_2 = _services(repository, second, clock)
        east.states(arn, "RUNNING", "COMPLETED", "COMPLETED", "COMPLETED")
        runner_2 = JobRunner(services_2, WorkerConfig("second"), sleep=lambda s: None)
        job = runner_2.run(runner_2.claim_next())
        east.stub.assert_no_pending_responses()
    assert job.status is JobStatus.DONE, job.error
    assert set(job.results[0]) <= {"00", "11"} and sum(job.results[0].values()) == 100
    assert any(f"re-attached to provider job(s) {arn}" in line for line in job.logs)
    assert job.cost.usd == pytest.approx(0.30 + 100 * 0.08)
    assert seen and all(c == KEYS for c in seen)  # the sealed credentials reached both workers
    assert KEYS["aws_secret_access_key"] not in repr(job)
