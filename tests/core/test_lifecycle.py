from datetime import UTC, datetime

import pytest

from qdispatch_core.domain import Job, JobStatus, RunType
from qdispatch_core.domain.lifecycle import ALLOWED_TRANSITIONS, advance, can_transition, is_behind
from qdispatch_core.errors import Conflict

S = JobStatus
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def job(status=S.SUBMITTED) -> Job:
    return Job(
        id="job_1",
        owner_id="u",
        experiment_id="e",
        device_id="d",
        provider="p",
        run_type=RunType.RUN,
        shots=1,
        circuit_ids=("c",),
        parameters=None,
        observables=None,
        options={},
        use_mitigation=False,
        dry_run=False,
        created_at=NOW,
        status=status,
    )


def test_happy_path_stamps_times_and_logs():
    j = job()
    for status in (S.INITIALIZING, S.VALIDATING, S.QUEUED, S.RUNNING, S.DONE):
        j = advance(j, status, NOW)
    assert j.started_at == NOW and j.finished_at == NOW
    assert [line.split(" ")[1] for line in j.logs] == [
        "Initializing",
        "Validating",
        "Queued",
        "Running",
        "Done",
    ]


@pytest.mark.parametrize("final", [S.DONE, S.ERROR, S.CANCELLED])
def test_final_jobs_never_change(final):
    for target in S:
        assert not can_transition(final, target)
        with pytest.raises(Conflict):
            advance(job(final), target, NOW)


def test_no_backward_or_skipping_moves():
    assert not can_transition(S.RUNNING, S.QUEUED)
    assert not can_transition(S.SUBMITTED, S.RUNNING)
    assert not can_transition(S.SUBMITTED, S.DONE)


def test_every_non_final_status_can_be_cancelled_or_fail():
    for status, targets in ALLOWED_TRANSITIONS.items():
        if not status.is_final:
            assert {S.CANCELLED, S.ERROR} <= targets


def test_a_lagging_provider_report_is_behind():
    assert is_behind(S.QUEUED, S.RUNNING)
    assert not is_behind(S.RUNNING, S.QUEUED)
    assert not is_behind(S.DONE, S.RUNNING)
