"""The IBM backend driven by the real worker: a fake-backend job end to end, and a cloud job
whose worker dies while IBM runs it, re-attached by a second worker from the stored runtime job
id, charged from the job's usage, with a token that appears nowhere."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from qdispatch_core.registry import BackendRegistry
from qdispatch_core.testing import FakeCipher, InMemoryRepository
from qdispatch_core.usecases import Services, create_experiment, ensure_user, get_job, submit_run
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_ibm import IBMBackend
from qdispatch_qiskit import QiskitToolkit
from tests.conftest import run_all
from tests.providers.ibm.cloud_mock import TOKEN
from tests.samples import BELL_QASM2


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Crash(BaseException):
    """A worker process dying: nothing in the worker catches it."""


class DiesOnSecondPoll(IBMBackend):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.polls = 0

    def poll(self, device, job_ids, credentials):
        self.polls += 1
        if self.polls == 2:
            raise Crash()
        return super().poll(device, job_ids, credentials)


def crash_then_reattach(services, user, job_id, cloud, clock, calibration_dir):
    """A worker dies while polling job_id's runtime job; after its lease runs out a new
    process's worker re-attaches to that same job (never submits again). What get_job then
    says."""
    first = JobRunner(services, WorkerConfig("w1", lease_seconds=10), sleep=lambda s: None)
    with pytest.raises(Crash):
        first.run(first.claim_next())
    stored = get_job(services, user, job_id).job
    assert stored.status == "Queued" and stored.provider_job_ids[0] in cloud.jobs

    services.backends.add(IBMBackend(calibration_dir=calibration_dir))  # the new process
    clock.now += timedelta(seconds=11)  # the dead worker's lease runs out
    run_all(JobRunner(services, WorkerConfig("w2", lease_seconds=10), sleep=lambda s: None))
    view = get_job(services, user, job_id)
    job = view.job
    assert job.status == "Done", job.error
    assert "re-attached" in " ".join(job.logs) and len(cloud.submitted) == 1
    return view


def world(backend, clock=None):
    registry = BackendRegistry(use_entry_points=False)
    registry.add(backend)
    services = Services(
        InMemoryRepository(), registry, QiskitToolkit(), FakeCipher(), clock=clock or Clock()
    )
    user = ensure_user(services, "alice", 100)
    return services, user, create_experiment(services, user, "ibm")


def test_a_fake_backend_job_through_the_worker(ibm):
    services, user, experiment = world(ibm)
    request = {
        "experiment_id": experiment.id,
        "circuits_qasm": [BELL_QASM2],
        "device_id": "fake_manila",
        "shots": 1000,
        "use_mitigation": True,
        "options": {"seed_simulator": 4},
    }
    response = submit_run(services, user, request)
    assert response.estimated_cost.converted["amount"] == 0
    run_all(JobRunner(services, WorkerConfig("w1"), sleep=lambda s: None))
    job = get_job(services, user, response.job_id).job
    assert job.status == "Done", job.error
    (quasi,) = job.results
    (raw,) = job.raw_results
    assert sum(raw.values()) == 1000 and abs(sum(quasi.values()) - 1) < 1e-4
    assert job.mitigation["applied"] and job.cost.converted["amount"] == 0
    assert job.provider_job_ids == []  # a local job runs in shards, not as a provider job
    assert any("shard(s) of up to" in line for line in job.logs)
    assert any("transpiled for fake_manila" in line for line in job.logs)
    # True timestamps: from when the simulation began to when it ended, not 0.00 s.
    assert job.started_at is not None and job.finished_at > job.started_at


def test_a_dry_run_on_a_cloud_device_needs_no_credentials(ibm):
    services, user, experiment = world(ibm)
    request = {
        "experiment_id": experiment.id,
        "circuits_qasm": [BELL_QASM2],
        "device_id": "ibm_torino",
        "shots": 1000,
        "dry_run": True,
    }
    response = submit_run(services, user, request)
    job = get_job(services, user, response.job_id).job
    assert job.status == "Done" and job.results is None
    (circuit,) = job.plan["circuits"]
    assert circuit["transpiled_2q_gates"] >= 1 and len(circuit["physical_qubits"]) == 2
    assert "fake_torino" in job.plan["notes"][0]  # planned on the snapshot of the processor
    estimate = job.estimated_cost.native
    assert estimate["unit"] == "s" and 3.2 < estimate["amount"] < 3.4  # 3 s + 1000 × ~260 µs


def test_a_worker_restart_reattaches_to_the_ibm_job(
    cloud, ibm_credentials, calibration_dir, caplog
):
    caplog.set_level(logging.DEBUG)
    clock = Clock()
    cloud.script = ("Queued", "Queued", "Running", "Completed")
    services, user, experiment = world(DiesOnSecondPoll(calibration_dir=calibration_dir), clock)
    request = {
        "experiment_id": experiment.id,
        "circuits_qasm": [BELL_QASM2],
        "device_id": "ibm_manila",
        "shots": 1000,
        "options": dict(ibm_credentials, optimization_level=1),
    }
    response = submit_run(services, user, request)
    estimate = response.estimated_cost.converted["amount"]
    assert 4.8 < estimate < 5.6  # (3 s + 1000 × (250 µs + circuit)) × 1.60 USD/s
    view = crash_then_reattach(services, user, response.job_id, cloud, clock, calibration_dir)
    job = view.job
    (counts,) = job.results
    assert sum(counts.values()) == 1000 and counts["00"] + counts["11"] > 900
    assert job.cost.native == {"amount": 2.5, "unit": "s"}  # the job's reported usage
    assert job.cost.converted == {"amount": 4.0, "unit": "USD"}
    assert TOKEN not in view.model_dump_json()
    assert TOKEN not in str(services.repository.state)
    assert TOKEN not in caplog.text
