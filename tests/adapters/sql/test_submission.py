"""Submissions through the core's use cases on a SQL repository: credentials never reach the
database in the clear, and a refused submission stores nothing at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qdispatch_core.errors import PaymentRequired
from qdispatch_core.registry import BackendRegistry
from qdispatch_core.testing import FakeBackend, FakeCipher, FakeCircuitToolkit
from qdispatch_core.usecases import Services, create_experiment, ensure_user, submit_run
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_sql.schema import circuits, job_secrets, jobs, ledger_entries
from tests.conftest import run_all
from tests.samples import BELL_QASM2

TOKEN = "canary-7f3a9c-qdispatch-secret-token"


def sql_services(repository) -> Services:
    registry = BackendRegistry(use_entry_points=False)
    registry.add(FakeBackend())
    return Services(repository, registry, FakeCircuitToolkit(), FakeCipher())


def qpu_request(experiment, **overrides) -> dict:
    return {
        "experiment_id": experiment.id,
        "circuits_qasm": [BELL_QASM2],
        "device_id": "dummy_qpu",
        "shots": 100,
        "options": {"fake_token": TOKEN, "priority": "high"},
    } | overrides


def everything_stored(repository, request) -> bytes:
    """The database as it lies on disk (SQLite: the file and its WAL) or as a full dump of
    every table (PostgreSQL)."""
    url = repository.url
    if url.get_backend_name() == "sqlite":
        files = [Path(url.database + suffix) for suffix in ("", "-wal", "-shm")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    server = request.getfixturevalue("postgres_server")
    dump = server.run(
        "pg_dump",
        "--data-only",
        "-h",
        "127.0.0.1",
        "-p",
        str(server.port),
        "-U",
        server.user,
        url.database,
    )
    return dump.stdout.encode()


def assert_token_absent(repository, request, job_id: str) -> None:
    stored = everything_stored(repository, request)
    assert job_id.encode() in stored and b"priority" in stored  # the search sees the job
    for form in (TOKEN.encode(), TOKEN.encode().hex().encode()):  # as text, as bytea hex
        assert form not in stored
    with repository.begin() as uow:  # compressed results would hide it from a byte search
        job = uow.jobs.get_for_worker(job_id)
    assert TOKEN not in repr(job)
    assert "fake_token" not in job.options


def test_credentials_are_stored_only_sealed(sql_repository, request):
    services = sql_services(sql_repository)
    user = ensure_user(services, "alice", 100)
    experiment = create_experiment(services, user, "exp")
    job_id = submit_run(services, user, qpu_request(experiment)).job_id

    with sql_repository.begin() as uow:
        sealed = uow.secrets.get(job_id)
    assert TOKEN in json.loads(FakeCipher().open(sealed))["fake_token"]  # it was kept, sealed
    assert_token_absent(sql_repository, request, job_id)

    runner = JobRunner(services, WorkerConfig("w1", lease_seconds=30), sleep=lambda _: None)
    (finished,) = run_all(runner)
    assert finished.status.value == "Done" and finished.results is not None
    assert_token_absent(sql_repository, request, job_id)


def count_rows(repository) -> dict[str, int]:
    with repository.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (circuits, jobs, job_secrets, ledger_entries)
        }


def test_a_refused_payment_stores_nothing(sql_repository):
    services = sql_services(sql_repository)
    user = ensure_user(services, "bob", "0.05")  # the job's estimate is $0.10
    experiment = create_experiment(services, user, "exp")
    before = count_rows(sql_repository)
    with pytest.raises(PaymentRequired):
        submit_run(services, user, qpu_request(experiment))
    assert count_rows(sql_repository) == before  # no circuit, job, secret or ledger entry
    assert before["ledger_entries"] == 1  # the starting credit


def test_an_accepted_submission_stores_all_of_it(sql_repository):
    services = sql_services(sql_repository)
    user = ensure_user(services, "carol", 1)
    experiment = create_experiment(services, user, "exp")
    submit_run(services, user, qpu_request(experiment))
    assert count_rows(sql_repository) == {
        "circuits": 1,
        "jobs": 1,
        "job_secrets": 1,
        "ledger_entries": 2,
    }


def test_recomputed_results_are_stored_with_their_history(sql_repository):
    """Issue 23: per-executable outputs survive the round trip, and a recompute writes a new
    version (compare-and-set on the number of versions) on SQLite and PostgreSQL alike."""
    from qdispatch_core.errors import LeaseLost
    from qdispatch_core.usecases import get_job, recompute_job, result_history

    services = sql_services(sql_repository)
    user = ensure_user(services, "alice", 100)
    experiment = create_experiment(services, user, "exp")
    request = qpu_request(experiment, observables=[["ZZ", "XX"], [1.0, 0.5]], use_mitigation=True)
    job_id = submit_run(services, user, request).job_id
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))
    job = get_job(services, user, job_id).job
    assert job.status == "Done", job.error
    with sql_repository.read() as uow:
        stored = uow.jobs.get(user.id, job_id)
    assert stored.outputs is not None and len(stored.outputs["outputs"]) == 2  # ZZ and XX groups
    again = recompute_job(services, user, job_id).job
    assert (again.results, again.uncertainties) == (job.results, job.uncertainties)
    (previous,) = result_history(services, user, job_id)
    assert previous["results"] == job.results and previous["version"] == 1
    with sql_repository.read() as uow:
        stale = uow.jobs.get(user.id, job_id)
    # A second writer that read before the first recompute loses the compare-and-set.
    with pytest.raises(LeaseLost, match="changed meanwhile"), sql_repository.begin() as uow:
        uow.jobs.replace_results(stale, 0)
