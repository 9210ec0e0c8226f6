"""A quick local job (one shard, run with no shard records: issue 15) taken over after its
worker died once it was past Validating. Such a job has no shard records to resume from (a
worker of a release before quick jobs, or the dashboard's demo, walked it to Queued or Running
first): the next worker runs it from the start and ends it Done, instead of trying to move it
back through Queued (a 409 that ended the job in Error)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qdispatch_core.domain import JobStatus, Progress
from qdispatch_core.domain.lifecycle import walk
from qdispatch_core.testing import FakeBackend
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from tests.conftest import run_all
from tests.core.test_execution import job_of, submit
from tests.core.test_execution import setup as make_setup


def _walked_by_a_dead_worker(services, clock, job_id: str, status: JobStatus) -> None:
    """Claimed, walked to `status` with no shard records, then the worker died."""
    dead = JobRunner(services, WorkerConfig("dead", lease_seconds=30))
    claimed = dead.claim_next()
    assert claimed is not None and claimed.id == job_id
    steps = (JobStatus.VALIDATING, JobStatus.QUEUED)
    if status is JobStatus.RUNNING:
        steps += (JobStatus.RUNNING,)
    with services.repository.begin() as uow:
        stored = uow.jobs.get_for_worker(job_id)  # Submitted: its claim wrote the lease only
        steps = (JobStatus.INITIALIZING, *steps)
        job = walk(stored, steps, clock(), "picked up by dead")
        uow.jobs.save(replace(job, progress=Progress(0, 1)), lease_owner="dead")
        uow.commit()
    clock.advance(31)  # its lease runs out


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING])
def test_a_quick_job_left_past_validating_without_shards_is_finished(status):
    services, user, experiment, clock = make_setup(FakeBackend())
    job_id = submit(services, user, experiment)
    _walked_by_a_dead_worker(services, clock, job_id, status)
    run_all(JobRunner(services, WorkerConfig("w2")))
    job = job_of(services, user, job_id)
    assert job.status == "Done", job.error
    assert sum(job.results[0].values()) == 1024
