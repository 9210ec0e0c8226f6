"""The worker while a job runs: stored progress, polling back-off, and cancel in each state."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import ProviderUnavailable
from qdispatch_core.testing import FakeBackend
from qdispatch_core.usecases import cancel_job
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_core.usecases.users import balance
from tests.conftest import run_all
from tests.core.test_execution import TOKEN, job_of, remote, submit
from tests.core.test_execution import setup as make_setup
from tests.samples import PARAM_2Q

S = JobStatus


def eventually(check, what: str, deadline: float = 20.0):
    """Poll `check` until it returns something truthy; generous for a loaded CI machine."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if value := check():
            return value
        threading.Event().wait(0.005)
    raise AssertionError(f"timed out waiting for {what}")


# -- progress -------------------------------------------------------------------------------


class Gated(FakeBackend):
    """Runs shard k (one executable each) only once gates[k] is set."""

    def __init__(self, executables: int) -> None:
        super().__init__()
        self.gates = [threading.Event() for _ in range(executables)]

    def run_shard(self, device, spec, shard, credentials):
        assert self.gates[shard.first].wait(30)
        return super().run_shard(device, spec, shard, credentials)


def test_stored_progress_advances_while_the_job_runs():
    n = 3
    backend = Gated(n)
    services, user, experiment, _ = make_setup(backend)
    job_id = submit(
        services,
        user,
        experiment,
        circuits_qasm=[PARAM_2Q],
        parameters=[[0.1 * i, 0.2] for i in range(n)],
    )
    runner = JobRunner(services, WorkerConfig("w", shard_seconds=0))  # a shard per executable
    job = runner.claim_next()
    worker = threading.Thread(target=runner.run, args=(job,), daemon=True)
    worker.start()
    seen = []
    try:
        for k in range(n):
            # A separate read of the store, while the worker is blocked on executable k.
            stored = eventually(
                lambda k=k: (
                    (j := job_of(services, user, job_id)).progress.done == k
                    and j.status == "Running"
                    and j
                ),
                f"progress {k}/{n} while Running",
            )
            seen.append((stored.progress.done, stored.progress.total))
            backend.gates[k].set()
    finally:
        for gate in backend.gates:
            gate.set()
        worker.join(30)
    assert not worker.is_alive()
    assert seen == [(0, n), (1, n), (2, n)]
    final = job_of(services, user, job_id)
    assert final.status == "Done" and (final.progress.done, final.progress.total) == (n, n)


# -- polling back-off -----------------------------------------------------------------------


class FakeTime:
    """The worker's monotonic clock and sleep: sleeping moves the clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.now += seconds


class Timed(FakeBackend):
    """A remote provider with its own polling setting whose polls take `poll_seconds`."""

    def __init__(self, polling, fake_time: FakeTime, poll_seconds=0.0, outages=0, **kwargs):
        super().__init__(**kwargs)
        self.polling = polling
        self.time = fake_time
        self.poll_seconds = poll_seconds
        self.outages = outages
        self.poll_times: list[float] = []

    def poll(self, device, job_ids, credentials):
        self.poll_times.append(self.time.now)
        self.time.now += self.poll_seconds
        if self.outages:
            self.outages -= 1
            raise ProviderUnavailable(f"HTTP 503 (token {TOKEN})")
        return super().poll(device, job_ids, credentials)


def run_timed(backend: FakeBackend, fake_time: FakeTime, **config) -> str:
    services, user, experiment, _ = make_setup(backend)
    job_id = submit(services, user, experiment, **remote())
    runner = JobRunner(
        services, WorkerConfig("w", **config), sleep=fake_time.sleep, monotonic=fake_time.monotonic
    )
    run_all(runner)
    return job_of(services, user, job_id)


@pytest.mark.parametrize(
    ("polling", "lease", "intervals"),
    [
        # Backs off by 1.5 from the provider's first interval up to its longest...
        ((2.0, 10.0), 60.0, [2.0, 3.0, 4.5, 6.75, 10.0, 10.0, 10.0, 10.0]),
        # ...but never waits longer than a third of the lease, which polls renew...
        ((2.0, 10.0), 9.0, [2.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0]),
        # ...not even for the first poll.
        ((5.0, 30.0), 9.0, [3.0] * 8),
    ],
)
@pytest.mark.parametrize("poll_seconds", [0.0, 0.5])
def test_polls_back_off_between_the_providers_first_and_longest_interval(
    polling, lease, intervals, poll_seconds
):
    fake_time = FakeTime()
    backend = Timed(polling, fake_time, poll_seconds=poll_seconds, remote_steps=8)
    job = run_timed(backend, fake_time, lease_seconds=lease)
    assert job.status == "Done"
    # Polls start `interval` apart: the time a poll takes is not slept again.
    gaps = [b - a for a, b in zip(backend.poll_times, backend.poll_times[1:], strict=False)]
    assert gaps == pytest.approx(intervals)
    assert fake_time.sleeps == pytest.approx([i - poll_seconds for i in intervals])


def test_an_unreachable_provider_is_asked_again_with_the_same_back_off():
    fake_time = FakeTime()
    backend = Timed((2.0, 10.0), fake_time, outages=3, remote_steps=2)
    job = run_timed(backend, fake_time, lease_seconds=60.0)
    assert job.status == "Done"
    assert fake_time.sleeps == pytest.approx([2.0, 3.0, 4.5, 6.75, 10.0])


def test_the_unreachable_grace_period_is_measured_on_the_workers_clock():
    fake_time = FakeTime()
    backend = Timed((2.0, 10.0), fake_time, outages=10**6)
    job = run_timed(backend, fake_time, lease_seconds=60.0, unavailable_grace=60.0)
    assert job.status == "Error" and "stayed unreachable for 60 s" in job.error
    assert TOKEN not in job.error
    # Polls at +0, 2, 5, 9.5, 16.25, 26.25 ... 56.25 s are within the grace; +66.25 s is past.
    assert fake_time.sleeps == pytest.approx([2.0, 3.0, 4.5, 6.75] + [10.0] * 5)


# -- cancel in each state -------------------------------------------------------------------


class CancelDuring(FakeBackend):
    """Cancels the job from inside one step of the worker, once armed."""

    def __init__(self, step: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.step = step
        self.armed = False
        self.status_at_cancel: str | None = None

    def _maybe_cancel(self, step: str) -> None:
        if self.armed and step == self.step:
            self.armed = False
            self.status_at_cancel = job_of(self.services, self.user, self.job_id).status
            cancel_job(self.services, self.user, self.job_id)

    def estimates_observables(self, device, use_mitigation):
        self._maybe_cancel("prepare")
        return super().estimates_observables(device, use_mitigation)

    def validate(self, device, spec):
        self._maybe_cancel("validate")
        super().validate(device, spec)

    def submit(self, device, spec, credentials):
        ids = super().submit(device, spec, credentials)
        self._maybe_cancel("submit")
        return ids


def cancel_during(step: str):
    backend = CancelDuring(step)
    services, user, experiment, _ = make_setup(backend)
    job_id = submit(services, user, experiment, shots=1000, **remote())
    assert balance(services, user) == Decimal(99)
    backend.services, backend.user, backend.job_id = services, user, job_id
    backend.armed = True
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))
    assert not backend.armed  # the cancel did happen in that step
    job = job_of(services, user, job_id)
    assert job.status == "Cancelled" and job.results is None and job.error is None
    assert job.cost is None
    assert balance(services, user) == Decimal(100)  # nothing charged, reservation released
    kinds = [e.kind.value for e in services.repository.state.ledger if e.job_id == job_id]
    assert kinds == ["reserve", "release"]
    assert job_id not in services.repository.state.secrets
    return backend, job


# While the worker prepares a claimed job its Initializing is not written yet (it goes with
# Validating, a moment later): the job is still stored Submitted, leased (issue 15).
@pytest.mark.parametrize(("step", "status"), [("prepare", "Submitted"), ("validate", "Validating")])
def test_a_cancel_before_the_provider_submit_submits_nothing(step, status):
    backend, job = cancel_during(step)
    assert backend.status_at_cancel == status
    assert "cancelled by the user before execution" in job.logs[-1]
    assert backend.submissions == [] and backend.cancelled == []
    assert job.provider_job_ids == []


def test_a_cancel_while_submitting_cancels_the_providers_job():
    backend, job = cancel_during("submit")
    assert backend.status_at_cancel == "Validating"
    assert len(backend.submissions) == 1
    [provider_id] = backend._remote
    assert backend.cancelled == [provider_id]
    assert backend._get_remote(provider_id)["state"] == "cancelled"
    assert backend.fetched == []
