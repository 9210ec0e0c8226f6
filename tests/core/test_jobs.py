"""Reading, listing and cancelling jobs: the 400s and 404s of the job doors, on the fakes."""

from dataclasses import replace
from decimal import Decimal

import pytest

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import BadRequest, NotFound
from qdispatch_core.ports.billing import held_for_job
from qdispatch_core.testing import InMemoryBilling
from qdispatch_core.usecases import (
    cancel_job,
    create_experiment,
    ensure_user,
    get_job,
    list_jobs,
    submit_run,
)
from tests.samples import BELL_QASM2

TOKEN = "fake-token-for-jobs"


def submit(services, user, experiment, **overrides):
    payload = {
        "experiment_id": experiment.id,
        "circuits_qasm": [BELL_QASM2],
        "device_id": "dummy_simulator",
    } | overrides
    return submit_run(services, user, payload).job_id


def submit_paid(services, user, experiment):
    """A job on the fake QPU: it holds a reservation and sealed credentials until it ends."""
    return submit(
        services,
        user,
        experiment,
        device_id="dummy_qpu",
        shots=1000,
        options={"fake_token": TOKEN},
    )


def held(services, user, job_id) -> Decimal:
    with services.repository.begin() as uow:
        assert isinstance(uow.billing, InMemoryBilling)
        return held_for_job(uow.billing.entries(user.id), job_id)


def test_list_jobs_filters_by_experiment_and_status_newest_first(services, user, experiment):
    other_experiment = create_experiment(services, user, "other")
    first = submit(services, user, experiment)
    second = submit(services, user, experiment)
    elsewhere = submit(services, user, other_experiment)
    cancel_job(services, user, second)

    assert [j.id for j in list_jobs(services, user)] == [elsewhere, second, first]
    assert [j.id for j in list_jobs(services, user, experiment.id)] == [second, first]
    assert [j.id for j in list_jobs(services, user, status="Cancelled")] == [second]
    assert [j.id for j in list_jobs(services, user, status=JobStatus.SUBMITTED, limit=1)] == [
        elsewhere
    ]
    assert list_jobs(services, user, limit=services.limits.list_max)  # the top of the range


@pytest.mark.parametrize(
    ("status", "closest"),
    [("Finished", ""), ("submitted", "Submitted"), ("DONE", "Done"), ("Running ", "Running")],
)
def test_list_jobs_with_an_unknown_status_is_a_400_naming_the_statuses(
    services, user, status, closest
):
    with pytest.raises(BadRequest) as err:
        list_jobs(services, user, status=status)
    assert err.value.code == 400 and err.value.field == "status"
    hint = f"; did you mean {closest!r}?" if closest else ""
    assert err.value.message == (
        "status: expected one of Submitted, Initializing, Validating, Queued, Running, Done, "
        f"Error, Cancelled, got {status!r}{hint}"
    )


@pytest.mark.parametrize("limit", [0, -1, 1001, 10**9])
def test_list_jobs_with_a_limit_out_of_range_is_a_400(services, user, limit):
    assert services.limits.list_max == 1000
    with pytest.raises(BadRequest) as err:
        list_jobs(services, user, limit=limit)
    assert err.value.code == 400 and err.value.field == "limit"
    assert err.value.message == "limit: expected 1..1000"


def test_list_jobs_of_an_unknown_or_foreign_experiment_is_a_404(services, user, experiment):
    submit(services, user, experiment)
    mallory = ensure_user(services, "mallory")
    for who, experiment_id in [(user, "exp_nope"), (mallory, experiment.id)]:
        with pytest.raises(NotFound) as err:
            list_jobs(services, who, experiment_id)
        assert err.value.code == 404 and err.value.field == "experiment_id"
        assert experiment_id in err.value.message
    assert list_jobs(services, mallory) == []  # and alice's jobs are not hers to list


def test_get_job_of_an_unknown_or_foreign_job_is_a_404(services, user, experiment):
    job_id = submit(services, user, experiment)
    mallory = ensure_user(services, "mallory")
    for who, wanted in [(user, "job_nope"), (mallory, job_id)]:
        with pytest.raises(NotFound) as err:
            get_job(services, who, wanted)
        assert err.value.code == 404 and err.value.field == "job_id"
        assert wanted in err.value.message
    assert get_job(services, user, job_id).job.id == job_id


def test_cancel_job_of_another_users_job_is_a_404_and_leaves_it_alone(services, user, experiment):
    job_id = submit_paid(services, user, experiment)
    before = services.repository.state.jobs[job_id]
    reserved = held(services, user, job_id)
    assert reserved > 0 and job_id in services.repository.state.secrets

    mallory = ensure_user(services, "mallory", 100)
    with pytest.raises(NotFound) as err:
        cancel_job(services, mallory, job_id)
    assert err.value.code == 404 and err.value.field == "job_id"

    # Untouched: same status, no cancel flag, the reservation and the credentials still held.
    assert services.repository.state.jobs[job_id] == before
    assert before.status is JobStatus.SUBMITTED and not before.cancel_requested
    assert held(services, user, job_id) == reserved
    assert job_id in services.repository.state.secrets
    assert held(services, mallory, job_id) == 0

    # The owner still can.
    assert cancel_job(services, user, job_id).job.status == "Cancelled"
    assert held(services, user, job_id) == 0


def test_cancel_job_of_a_foreign_job_a_worker_holds_sets_no_flag(services, user, experiment):
    job_id = submit_paid(services, user, experiment)
    # A provider holds the job: cancelling would only flag it for the worker.
    state = services.repository.state
    state.jobs[job_id] = replace(
        state.jobs[job_id], status=JobStatus.QUEUED, provider_job_ids=("fake-1",)
    )
    mallory = ensure_user(services, "mallory")
    with pytest.raises(NotFound):
        cancel_job(services, mallory, job_id)
    assert not state.jobs[job_id].cancel_requested
    assert cancel_job(services, user, job_id).job.status == "Queued"
    assert state.jobs[job_id].cancel_requested  # the owner's request is recorded
