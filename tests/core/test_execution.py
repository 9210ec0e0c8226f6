"""The worker's steps on the fakes: statuses, results, billing, errors, cancel and recovery."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import ProviderUnavailable
from qdispatch_core.ports.backend import Execution
from qdispatch_core.testing import FakeBackend
from qdispatch_core.usecases import (
    cancel_job,
    create_experiment,
    ensure_user,
    get_job,
    submit_run,
)
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_core.usecases.users import balance
from tests.conftest import fake_services, run_all
from tests.samples import BELL_QASM2, PARAM_2Q

S = JobStatus
TOKEN = "PLANTED-SECRET-9f3a"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Crash(BaseException):
    """Stands for a worker process dying: nothing in the worker catches it."""


def setup(backend: FakeBackend | None = None, credits=100):
    clock = Clock()
    services = fake_services(backend or FakeBackend(), clock=clock)
    user = ensure_user(services, "alice", credits)
    experiment = create_experiment(services, user, "exp")
    return services, user, experiment, clock


def submit(services, user, experiment, **overrides):
    payload = {
        "experiment_id": experiment.id,
        "circuits_qasm": [BELL_QASM2],
        "device_id": "dummy_simulator",
    } | overrides
    return submit_run(services, user, payload).job_id


def remote(**overrides):
    return {"device_id": "dummy_qpu", "options": {"fake_token": TOKEN}} | overrides


def job_of(services, user, job_id):
    return get_job(services, user, job_id).job


def test_a_local_job_runs_to_done_with_every_status_logged():
    services, user, experiment, _ = setup()
    job_id = submit(services, user, experiment)
    run_all(JobRunner(services, WorkerConfig("w")))
    job = job_of(services, user, job_id)
    assert job.status == "Done" and job.error is None
    assert [line.split(" ")[1].rstrip(":") for line in job.logs] == [
        "Submitted",
        "Initializing",
        "Validating",
        "Queued",
        "Running",
        "Done",
    ]
    assert sum(job.results[0].values()) == 1024
    assert job.progress.done == job.progress.total == 1
    assert job.started_at is not None and job.finished_at is not None


@pytest.mark.parametrize("run_type", ["Run", "StatevectorRun"])
def test_two_circuits_two_observables_three_parameter_sets(run_type):
    services, user, experiment, _ = setup()
    observables = [["ZZ", "XI"], [1.0, 0.5]], [["YY"], [2.0]]
    job_id = submit(
        services,
        user,
        experiment,
        run_type=run_type,
        circuits_qasm=[PARAM_2Q, PARAM_2Q.replace("cx", "cz")],
        parameters=[[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]] * 2,
        observables=[list(observables)] * 2,
    )
    run_all(JobRunner(services, WorkerConfig("w")))
    job = job_of(services, user, job_id)
    assert job.status == "Done"
    for nested in (job.results, job.uncertainties):
        assert len(nested) == 2
        assert all(len(per_circuit) == 2 for per_circuit in nested)
        assert all(len(per_obs) == 3 for per_circuit in nested for per_obs in per_circuit)
        assert all(isinstance(v, float) for c in nested for o in c for v in o)
    bounds = [1.5, 2.0]
    assert all(
        abs(v) <= bounds[o] + 1e-9 for c in job.results for o, vs in enumerate(c) for v in vs
    )


def test_a_remote_job_stores_its_provider_id_before_polling():
    seen = []

    class Watching(FakeBackend):
        def poll(self, device, job_ids, credentials):
            with services.repository.begin() as uow:
                seen.append(uow.jobs.get_for_worker(job_id).provider_job_ids)
            return super().poll(device, job_ids, credentials)

    services, user, experiment, _ = setup(Watching())
    job_id = submit(services, user, experiment, **remote())
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))
    job = job_of(services, user, job_id)
    assert job.status == "Done"
    assert seen and all(ids == tuple(job.provider_job_ids) for ids in seen)
    assert "Running" in " ".join(job.logs)


def test_a_priced_job_is_charged_once_and_the_rest_released():
    services, user, experiment, _ = setup()
    job_id = submit(services, user, experiment, shots=1000, **remote())
    assert balance(services, user) == Decimal(99)
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))
    assert balance(services, user) == Decimal(99)
    job = job_of(services, user, job_id)
    assert job.cost.converted["amount"] == 1.0
    kinds = [e.kind.value for e in services.repository.state.ledger if e.job_id == job_id]
    assert kinds == ["reserve", "release", "charge"]


def test_the_credential_reaches_the_provider_and_is_gone_when_final():
    backend = FakeBackend()
    services, user, experiment, _ = setup(backend)
    job_id = submit(services, user, experiment, **remote())
    assert job_id in services.repository.state.secrets
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))
    assert backend.credentials_seen == [{"fake_token": TOKEN}]
    assert job_id not in services.repository.state.secrets
    assert TOKEN not in get_job(services, user, job_id).model_dump_json()


def test_a_provider_error_ends_in_error_releases_and_scrubs_secrets():
    backend = FakeBackend(fail_message=f"calibration failed (token {TOKEN} rejected)")
    services, user, experiment, _ = setup(backend)
    job_id = submit(services, user, experiment, shots=1000, **remote())
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))
    job = job_of(services, user, job_id)
    assert job.status == "Error" and "calibration failed" in job.error
    assert TOKEN not in job.error and TOKEN not in " ".join(job.logs)
    assert job.results is None and job.cost is None
    assert balance(services, user) == Decimal(100)
    assert job_id not in services.repository.state.secrets


def test_a_wrong_number_of_outputs_is_an_error_not_a_crash():
    class Short(FakeBackend):
        def finish_local(self, device, spec, outputs, notes, credentials):
            return Execution(list(outputs)[:-1])

    services, user, experiment, _ = setup(Short())
    job_id = submit(
        services,
        user,
        experiment,
        circuits_qasm=[BELL_QASM2, PARAM_2Q],
        parameters=[[], [0.1, 0.2]],
    )
    run_all(JobRunner(services, WorkerConfig("w")))
    job = job_of(services, user, job_id)
    assert job.status == "Error" and "1 results for 2 executables" in job.error


def test_an_unexpected_exception_becomes_an_error_with_its_type():
    class Broken(FakeBackend):
        def run_shard(self, device, spec, shard, credentials):
            raise KeyError("surprise")

    services, user, experiment, _ = setup(Broken())
    job_id = submit(services, user, experiment)
    run_all(JobRunner(services, WorkerConfig("w")))
    job = job_of(services, user, job_id)
    assert job.status == "Error" and "KeyError" in job.error


def test_an_unknown_provider_state_is_an_error():
    class Odd(FakeBackend):
        def _get_remote(self, job_id):
            record = super()._get_remote(job_id)
            record["state"] = "limbo"
            return record

    services, user, experiment, _ = setup(Odd())
    job_id = submit(services, user, experiment, **remote())
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))
    job = job_of(services, user, job_id)
    assert job.status == "Error" and "'limbo' is not mapped" in job.error


def test_mitigation_on_a_noisy_device_keeps_raw_counts():
    services, user, experiment, _ = setup()
    job_id = submit(services, user, experiment, use_mitigation=True, **remote())
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))
    job = job_of(services, user, job_id)
    assert job.mitigation == {"applied": True, "method": "fake readout correction"}
    assert sum(job.results[0].values()) == pytest.approx(1.0)
    assert sum(job.raw_results[0].values()) == 1024


# -- cancel ---------------------------------------------------------------------------------


def test_cancel_before_a_worker_is_immediate_and_free():
    backend = FakeBackend()
    services, user, experiment, _ = setup(backend)
    job_id = submit(services, user, experiment, shots=1000, **remote())
    response = cancel_job(services, user, job_id)
    assert response.job.status == "Cancelled" and "no results" in response.context
    assert balance(services, user) == Decimal(100)
    assert run_all(JobRunner(services, WorkerConfig("w"))) == []
    assert backend.submissions == []
    assert job_id not in services.repository.state.secrets


def test_cancel_of_a_final_job_changes_nothing():
    services, user, experiment, _ = setup()
    job_id = submit(services, user, experiment)
    run_all(JobRunner(services, WorkerConfig("w")))
    before = job_of(services, user, job_id)
    assert cancel_job(services, user, job_id).job == before


def test_cancel_of_a_queued_remote_job_reaches_the_provider():
    class CancelOnFirstPoll(FakeBackend):
        def poll(self, device, job_ids, credentials):
            if not self.cancelled:
                cancel_job(services, user, job_id)
            return super().poll(device, job_ids, credentials)

    backend = CancelOnFirstPoll(remote_steps=50)
    services, user, experiment, _ = setup(backend)
    job_id = submit(services, user, experiment, shots=1000, **remote())
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))
    job = job_of(services, user, job_id)
    assert job.status == "Cancelled" and job.results is None
    assert backend.cancelled == list(job.provider_job_ids)
    assert balance(services, user) == Decimal(100)


def test_cancel_of_a_running_local_job_stops_it():
    backend = FakeBackend(delay=0.05)
    services, user, experiment, _ = setup(backend)
    job_id = submit(
        services,
        user,
        experiment,
        circuits_qasm=[PARAM_2Q],
        parameters=[[0.1 * i, 0.2] for i in range(200)],
    )
    runner = JobRunner(services, WorkerConfig("w"))
    job = runner.claim_next()
    import threading

    done = threading.Event()
    threading.Thread(target=lambda: (runner.run(job), done.set())).start()
    for _ in range(200):
        if job_of(services, user, job_id).status == "Running":
            break
        threading.Event().wait(0.01)
    cancel_job(services, user, job_id)
    assert done.wait(10)
    job = job_of(services, user, job_id)
    assert job.status == "Cancelled" and job.results is None
    assert job.progress.done < 200


# -- leases and recovery --------------------------------------------------------------------


def test_two_workers_never_claim_the_same_job():
    services, user, experiment, _ = setup()
    submit(services, user, experiment)
    first = JobRunner(services, WorkerConfig("w1")).claim_next()
    assert first is not None
    assert JobRunner(services, WorkerConfig("w2")).claim_next() is None


def test_a_remote_job_is_reattached_after_its_worker_dies(tmp_path):
    class DiesOnSecondPoll(FakeBackend):
        polls = 0

        def poll(self, device, job_ids, credentials):
            DiesOnSecondPoll.polls += 1
            if DiesOnSecondPoll.polls == 2:
                raise Crash()
            return super().poll(device, job_ids, credentials)

    first_backend = DiesOnSecondPoll(state_dir=tmp_path, remote_steps=3)
    services, user, experiment, clock = setup(first_backend)
    job_id = submit(services, user, experiment, shots=1000, **remote())
    runner = JobRunner(services, WorkerConfig("w1", lease_seconds=10), sleep=lambda s: None)
    with pytest.raises(Crash):
        runner.run(runner.claim_next())
    stored = job_of(services, user, job_id)
    assert stored.status == "Queued" and stored.provider_job_ids

    # A new worker process: a new backend object sharing only the provider's state.
    second_backend = FakeBackend(state_dir=tmp_path, remote_steps=3)
    services.backends.add(second_backend)
    assert JobRunner(services, WorkerConfig("w2")).claim_next() is None  # lease still live
    clock.advance(11)
    run_all(JobRunner(services, WorkerConfig("w2", lease_seconds=10), sleep=lambda s: None))
    job = job_of(services, user, job_id)
    assert job.status == "Done" and "re-attached" in " ".join(job.logs)
    assert second_backend.submissions == []  # nothing submitted twice
    kinds = [e.kind.value for e in services.repository.state.ledger if e.job_id == job_id]
    assert kinds.count("charge") == 1


def test_a_local_job_resumes_where_its_worker_died():
    class DiesOnShard(FakeBackend):
        def run_shard(self, device, spec, shard, credentials):
            if shard.index == 3:
                raise Crash()
            return super().run_shard(device, spec, shard, credentials)

    first = DiesOnShard()
    services, user, experiment, clock = setup(first)
    sets = [[0.1 * i, 0.2] for i in range(6)]
    job_id = submit(services, user, experiment, circuits_qasm=[PARAM_2Q], parameters=sets)
    runner = JobRunner(services, WorkerConfig("w1", lease_seconds=10, shard_seconds=0))
    with pytest.raises(Crash):
        runner.run(runner.claim_next())
    stored = job_of(services, user, job_id)
    assert stored.status == "Running" and stored.progress.done == 3
    with services.repository.read() as uow:
        assert [r.status.value for r in uow.shards.list(job_id)] == ["done"] * 3 + [
            "running",
            "pending",
            "pending",
        ]
    second = FakeBackend()
    services.backends.add(second)
    clock.advance(11)
    run_all(JobRunner(services, WorkerConfig("w2", shard_seconds=0)))
    job = job_of(services, user, job_id)
    assert job.status == "Done" and job.progress.done == 6
    assert [shard.index for _, shard in second.shards_run] == [3, 4, 5]  # only what was missing
    assert "3 of 6 shard(s) recovered from storage (3 of 6 executables), 3 to run" in " ".join(
        job.logs
    )
    # The same results as a run that was never interrupted.
    services_2, user_2, experiment_2, _ = setup()
    again = submit(services_2, user_2, experiment_2, circuits_qasm=[PARAM_2Q], parameters=sets)
    run_all(JobRunner(services_2, WorkerConfig("w", shard_seconds=0)))
    assert job_of(services_2, user_2, again).results == job.results
    with services.repository.read() as uow:
        assert uow.shards.list(job_id) == []  # the final results hold everything


def test_a_worker_that_lost_its_lease_writes_nothing():
    class SlowFetch(FakeBackend):
        def finish_local(self, device, spec, outputs, notes, credentials):
            clock.advance(60)  # our lease expires while we finish...
            other = JobRunner(services, WorkerConfig("w2", lease_seconds=10))
            assert other.claim_next() is not None  # ...and someone else takes the job
            return super().finish_local(device, spec, outputs, notes, credentials)

    services, user, experiment, clock = setup(SlowFetch())
    job_id = submit(services, user, experiment)
    runner = JobRunner(services, WorkerConfig("w1", lease_seconds=10))
    runner.run(runner.claim_next())
    job = job_of(services, user, job_id)
    assert job.results is None and job.status != "Done"


# -- an unreachable provider ---------------------------------------------------------------


class Flaky(FakeBackend):
    """Unreachable for the first `outages` polls."""

    def __init__(self, outages: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.outages = outages

    def poll(self, device, job_ids, credentials):
        if self.outages > 0:
            self.outages -= 1
            raise ProviderUnavailable(f"HTTP 503 from the provider (token {TOKEN})")
        return super().poll(device, job_ids, credentials)


def test_a_provider_outage_within_the_grace_period_is_ridden_out():
    services, user, experiment, _ = setup(Flaky(outages=3))
    job_id = submit(services, user, experiment, **remote())
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))
    job = job_of(services, user, job_id)
    assert job.status == "Done"
    logs = " ".join(job.logs)
    assert "provider unreachable, retrying: HTTP 503" in logs and "reachable again" in logs
    assert TOKEN not in logs


def test_a_provider_that_stays_unreachable_ends_the_job_in_error():
    services, user, experiment, _ = setup(Flaky(outages=10**6))
    job_id = submit(services, user, experiment, shots=1000, **remote())
    config = WorkerConfig("w", unavailable_grace=0.2)
    run_all(JobRunner(services, config, sleep=lambda s: time.sleep(0.01)))
    job = job_of(services, user, job_id)
    assert job.status == "Error" and "stayed unreachable" in job.error
    assert TOKEN not in job.error
    assert balance(services, user) == Decimal(100)


def test_a_provider_that_estimates_observables_returns_values_and_errors():
    from qdispatch_core.ports.backend import Execution

    class Estimating(FakeBackend):
        def estimates_observables(self, device, use_mitigation):
            return not device.local and use_mitigation

        def fetch(self, device, spec, job_ids, credentials):
            assert spec.plan.output_kind == "expectations"
            n = len(spec.plan.executables)
            return Execution(
                [[0.5, -0.25]] * n,
                uncertainties=[[0.01, 0.02]] * n,
                mitigation={"applied": True, "method": "provider estimator"},
            )

    services, user, experiment, _ = setup(Estimating())
    job_id = submit(
        services,
        user,
        experiment,
        use_mitigation=True,
        observables=[[["ZZ"], [1.0]], [["XX", "YY"], [1.0, 1.0]]],
        circuits_qasm=[PARAM_2Q],
        parameters=[[0.1, 0.2], [0.3, 0.4]],
        **remote(),
    )
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))
    job = job_of(services, user, job_id)
    assert job.status == "Done" and job.plan["expectations_by"] == "provider"
    assert job.results == [[[0.5, 0.5], [-0.25, -0.25]]]
    assert job.uncertainties == [[[0.01, 0.01], [0.02, 0.02]]]
