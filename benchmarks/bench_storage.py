"""6. Storage: store and read back a job whose counts have 65,536 distinct bitstrings; list the
newest 50 jobs of a user with 100,000 jobs (SQLite and PostgreSQL)."""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import Row, at_most, timed


def _job_template(owner_id: str, experiment_id: str, circuit_id: str):
    from qdispatch_core.domain import Cost, Job, JobStatus, Progress, RunType

    return Job(
        id="job_template",
        owner_id=owner_id,
        experiment_id=experiment_id,
        device_id="aer_simulator",
        provider="aer",
        run_type=RunType.RUN,
        shots=1 << 20,
        circuit_ids=(circuit_id,),
        parameters=None,
        observables=None,
        options={},
        use_mitigation=False,
        dry_run=False,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        status=JobStatus.DONE,
        estimated_cost=Cost.free(),
        cost=Cost.free(),
        progress=Progress(1, 1),
    )


def _seed(repository):
    from qdispatch_core.domain import Circuit, CircuitAnalytics, Experiment, User

    now = datetime(2026, 1, 1, tzinfo=UTC)
    user = User("usr_bench", "bench", now)
    experiment = Experiment("exp_bench", user.id, "bench", "", now)
    analytics = CircuitAnalytics(16, 16, 0, (), 1, 0, 16, 0, 16, {"h": 16}, True)
    circuit = Circuit(
        "cir_bench", user.id, experiment.id, "", "", "OPENQASM 3.0;", 3, "h", analytics, now
    )
    with repository.begin() as uow:
        uow.users.add(user)
        uow.experiments.add(experiment)
        uow.circuits.add(circuit)
        uow.commit()
    return _job_template(user.id, experiment.id, circuit.id)


def _big_counts_round_trip(repository, template) -> tuple[list[float], list[float]]:
    counts = {format(i, "016b"): 16 + (i % 7) for i in range(1 << 16)}
    writes, reads = [], []
    for n in range(3):
        job = replace(template, id=f"job_big_{n}", results=[counts])
        with repository.begin() as uow:
            started = time.perf_counter()
            uow.jobs.add(job)
            uow.commit()
            writes.append(time.perf_counter() - started)
        with repository.begin() as uow:
            took, back = timed(lambda job=job, uow=uow: uow.jobs.get(template.owner_id, job.id))
            reads.append(took)
        if back.results != [counts]:
            raise AssertionError("the big result did not read back exactly")
    return writes, reads


def _bulk_insert(repository, template, count: int) -> None:
    """Insert `count` jobs through the adapter's own row conversion, in batches (the
    repository's one-at-a-time `add` would make seeding the benchmark slower than it)."""
    from sqlalchemy import insert

    from qdispatch_sql.rows import job_to_row
    from qdispatch_sql.schema import jobs

    start = template.created_at
    batch = []
    with repository.begin() as uow:
        for i in range(count):
            job = replace(
                template,
                id=f"job_{i:07d}",
                created_at=start + timedelta(seconds=i),
                results=[{"00": 512, "11": 512}],
            )
            batch.append(job_to_row(job))
            if len(batch) == 5000:
                uow._conn.execute(insert(jobs), batch)  # the benchmark seeds behind the port
                batch = []
        if batch:
            uow._conn.execute(insert(jobs), batch)  # the benchmark seeds behind the port
        uow.commit()


def _newest_50(repository, owner_id: str, times: int) -> list[float]:
    from qdispatch_core.ports import JobFilter

    durations = []
    for _ in range(times):
        with repository.begin() as uow:
            took, listed = timed(lambda uow=uow: uow.jobs.list(owner_id, JobFilter(limit=50)))
        if len(listed) != 50:
            raise AssertionError("expected 50 jobs")
        durations.append(took)
    return durations


def _measure(label: str, url: str, jobs: int) -> list[Row]:
    from qdispatch_sql import SqlRepository

    repository = SqlRepository(url)
    try:
        template = _seed(repository)
        writes, reads = _big_counts_round_trip(repository, template)
        round_trips = [w + r for w, r in zip(writes, reads, strict=True)]
        _bulk_insert(repository, template, jobs)
        listing = _newest_50(repository, template.owner_id, 30)
    finally:
        repository.close()
    return [
        Row(
            f"storage {label}: 65,536-key counts write+read",
            "s",
            round_trips,
            None,
            "",
            "≤ 0.5 s",
            at_most(0.5),
            note=f"write {statistics.median(writes):.3f} s, read {statistics.median(reads):.3f} s",
        ),
        Row(
            f"storage {label}: newest 50 of {jobs:,} jobs",
            "ms",
            [d * 1000 for d in listing],
            None,
            "",
            "≤ 50 ms",
            at_most(50),
        ),
    ]


def run(client, quick: bool) -> list[Row]:
    jobs = 2_000 if quick else 100_000
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += _measure("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", jobs)
    server = _postgres()
    if server is None:
        print("PostgreSQL binaries not found: skipping the PostgreSQL storage figures")
        return rows
    try:
        _, url = server.create_database()
        rows += _measure("PostgreSQL", url, jobs)
    finally:
        server.stop()
    return rows


def _postgres():
    """A throw-away PostgreSQL server (the same helper the tests use), or None."""
    import os
    import shutil

    from tests.postgres import PostgresServer, _server_owner, find_bin_dir, free_port

    bin_dir = find_bin_dir()
    if bin_dir is None:
        return None
    owner = _server_owner()
    root = Path(tempfile.mkdtemp(prefix="qdispatch-bench-pg-"))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    server = PostgresServer(bin_dir, root, free_port(), owner)
    server.start()
    stop = server.stop

    def stop_and_clean() -> None:
        stop()
        shutil.rmtree(root, ignore_errors=True)

    server.stop = stop_and_clean  # type: ignore[method-assign]
    return server
