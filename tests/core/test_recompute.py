"""`recompute_job` (issue 23 item 3): results derived again from what the job stored, as a new
version, with no provider contacted and nothing charged."""

from __future__ import annotations

import pytest

from qdispatch_core.errors import BadRequest
from qdispatch_core.testing import FakeBackend
from qdispatch_core.usecases import get_job, recompute_job, result_history
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_core.usecases.users import balance
from tests.conftest import run_all
from tests.core.test_execution import TOKEN, remote, setup, submit
from tests.samples import BELL_NO_MEASURE

OBSERVABLES = [[["ZZ", "XX"], [1.0, 0.5]], [["ZI"], [1.0]]]


def finished(backend, **request):
    services, user, experiment, _ = setup(backend)
    job_id = submit(services, user, experiment, **request)
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))
    job = get_job(services, user, job_id).job
    assert job.status == "Done", job.error
    return services, user, job


def test_recompute_gives_the_same_numbers_and_contacts_no_provider(tmp_path):
    backend = FakeBackend(record_dir=tmp_path)
    services, user, job = finished(
        backend,
        **remote(),
        circuits_qasm=[BELL_NO_MEASURE],
        observables=OBSERVABLES,
        use_mitigation=True,
    )
    events = (tmp_path / "events.log").read_text()
    fetched, submitted = list(backend.fetched), (tmp_path / "events.log").stat().st_size
    credits = balance(services, user)

    again = recompute_job(services, user, job.id).job
    assert (again.results, again.uncertainties) == (job.results, job.uncertainties)
    assert again.raw_results == job.raw_results and again.mitigation == job.mitigation
    assert (
        "recomputed from the stored outputs as version 2 (identical to version 1)"
        in (again.logs[-1])
    )
    # No provider call of any kind, no charge.
    assert backend.fetched == fetched and (tmp_path / "events.log").stat().st_size == submitted
    assert (tmp_path / "events.log").read_text() == events
    assert balance(services, user) == credits

    (previous,) = result_history(services, user, job.id)
    assert previous["version"] == 1 and previous["results"] == job.results
    stored = get_job(services, user, job.id).job
    assert stored.results == job.results and len(stored.logs) == len(job.logs) + 1
    recompute_job(services, user, job.id)
    assert [v["version"] for v in result_history(services, user, job.id)] == [1, 2]


def test_jobs_whose_results_are_their_outputs_are_refused():
    services, user, job = finished(FakeBackend())  # plain counts
    with pytest.raises(BadRequest, match="keeps no per-executable outputs"):
        recompute_job(services, user, job.id)


def test_jobs_that_did_not_run_are_refused():
    services, user, experiment, _ = setup()
    job_id = submit(services, user, experiment, observables=OBSERVABLES[0], dry_run=True)
    with pytest.raises(BadRequest, match="only a Done job that ran"):
        recompute_job(services, user, job_id)
    job_id = submit(services, user, experiment, **remote(), observables=OBSERVABLES[0])
    with pytest.raises(BadRequest, match="is Submitted"):
        recompute_job(services, user, job_id)
    assert TOKEN not in str(get_job(services, user, job_id).job)
