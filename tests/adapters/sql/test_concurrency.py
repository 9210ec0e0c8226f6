"""Concurrent writers: reservations never overspend, a job has one lease holder, and SQLite
queues writers from threads and processes instead of failing with "database is locked"."""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal

from qdispatch_core.errors import PaymentRequired
from qdispatch_core.ports import JobFilter
from qdispatch_core.ports.billing import EntryKind
from qdispatch_core.usecases import create_experiment, ensure_user, submit_run
from qdispatch_sql import SqlRepository
from tests.adapters.sql.databases import sqlite_url
from tests.adapters.sql.test_billing import ledger, new_user
from tests.adapters.sql.test_submission import qpu_request, sql_services
from tests.contract.repository_contract import (
    RepositoryContract,
    at,
    make_job,
)
from tests.samples import BELL_QASM2

THREADS = 8


def race(threads: int, work) -> list:
    """Run `work(i)` in `threads` threads released at the same instant; their results.

    An exception in any thread (e.g. "database is locked") fails the test with it.
    """
    start = threading.Barrier(threads)
    results: list = [None] * threads
    errors: list[BaseException] = []

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = work(i)
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    return results


def test_concurrent_reservations_never_overspend(sql_repository):
    user_id = new_user(sql_repository)
    with sql_repository.begin() as uow:
        uow.billing.credit(user_id, Decimal(10))
        uow.commit()

    def reserve(i: int) -> bool:
        try:
            with sql_repository.begin() as uow:
                uow.billing.reserve(user_id, f"job_{i}", Decimal(3))
                time.sleep(0.02)  # the submission goes on storing its job meanwhile
                uow.commit()
                return True
        except PaymentRequired:
            return False

    assert sum(race(THREADS, reserve)) == 3
    balance, entries = ledger(sql_repository, user_id)
    assert balance == Decimal(1)
    assert [e.kind for e in entries].count(EntryKind.RESERVE) == 3


def test_concurrent_charges_of_one_job_charge_once(sql_repository):
    user_id = new_user(sql_repository)
    with sql_repository.begin() as uow:
        uow.billing.credit(user_id, Decimal(10))
        uow.billing.reserve(user_id, "job_1", Decimal(4))
        uow.commit()

    def charge(i: int) -> Decimal:
        with sql_repository.begin() as uow:
            charged = uow.billing.charge(user_id, "job_1", Decimal(1))
            time.sleep(0.02)
            uow.commit()
            return charged

    assert sorted(race(THREADS, charge)) == [Decimal(0)] * (THREADS - 1) + [Decimal(1)]
    balance, entries = ledger(sql_repository, user_id)
    assert [e.kind for e in entries].count(EntryKind.CHARGE) == 1
    assert balance == Decimal(6)  # the charge was already held; the rest is still reserved


def test_one_job_is_claimed_by_exactly_one_of_many_workers(sql_repository):
    ((_, experiment, circuit),) = RepositoryContract().seed(sql_repository)
    job = make_job(experiment, circuit)
    with sql_repository.begin() as uow:
        uow.jobs.add(job)
        uow.commit()

    def claim(i: int) -> str | None:
        with sql_repository.begin() as uow:
            claimed = uow.jobs.claim(job.id, f"w{i}", at(0), at(30))
            time.sleep(0.02)
            uow.commit()
            return claimed and claimed.lease_owner

    winners = [w for w in race(THREADS, claim) if w is not None]
    assert len(winners) == 1
    with sql_repository.begin() as uow:
        stored = uow.jobs.get_for_worker(job.id)
    assert stored.lease_owner == winners[0] and stored.attempts == 1


def _credit_in_a_process(url: str, user_id: str, times: int) -> int:
    repository = SqlRepository(url, create=False)
    try:
        for _ in range(times):
            with repository.begin() as uow:
                uow.billing.balance(user_id)  # read, then write: the upgrade SQLite can't do
                uow.billing.credit(user_id, Decimal(1))
                uow.commit()
        return times
    finally:
        repository.close()


def test_sqlite_writers_in_several_processes_wait_for_each_other(tmp_path):
    url = sqlite_url(tmp_path)
    repository = SqlRepository(url)
    user_id = new_user(repository)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(4, mp_context=context) as pool:
        done = list(pool.map(_credit_in_a_process, [url] * 4, [user_id] * 4, [25] * 4))
    assert sum(done) == 100
    assert ledger(repository, user_id)[0] == Decimal(100)
    repository.close()


def test_concurrent_submissions_that_store_jobs_then_reserve_do_not_deadlock(sql_repository):
    # Storing a job takes a key-share lock on its owner's row (the foreign key); the
    # reservation's row lock must not conflict with it, or two submissions deadlock.
    ((user, experiment, circuit),) = RepositoryContract().seed(sql_repository)
    with sql_repository.begin() as uow:
        uow.billing.credit(user.id, Decimal(10))
        uow.commit()

    def submit(i: int) -> bool:
        try:
            with sql_repository.begin() as uow:
                uow.jobs.add(make_job(experiment, circuit, n=i))
                time.sleep(0.02)  # every submission has stored its job before any reserves
                uow.billing.reserve(user.id, f"job_{experiment.id}_{i}", Decimal(3))
                uow.commit()
                return True
        except PaymentRequired:
            return False

    assert sum(race(THREADS, submit)) == 3
    assert ledger(sql_repository, user.id)[0] == Decimal(1)


def test_concurrent_run_submissions_of_one_user_never_overspend(sql_repository):
    services = sql_services(sql_repository)
    user = ensure_user(services, "alice", "0.35")  # each submission holds $0.10
    experiment = create_experiment(services, user, "exp")

    def submit(i: int) -> bool:
        # Distinct circuits keep this test about the ledger alone. (The same new circuit in two
        # concurrent submissions collides on its content hash; submit_run retries once on that
        # Conflict and reuses the circuit the other submission stored.)
        circuit = BELL_QASM2 + f"// submission {i}\n"
        try:
            submit_run(services, user, qpu_request(experiment, circuits_qasm=[circuit]))
            return True
        except PaymentRequired:
            return False

    assert sum(race(THREADS, submit)) == 3
    with sql_repository.begin() as uow:
        assert uow.billing.balance(user.id) == Decimal("0.05")
        assert len(uow.jobs.list(user.id, JobFilter())) == 3


# -- reads never wait on writers (issue 14) ----------------------------------------------------


def test_a_read_never_waits_for_a_writer_holding_the_lock(tmp_path):
    repository = SqlRepository(sqlite_url(tmp_path))
    try:
        services = sql_services(repository)
        user = ensure_user(services, "alice", 0)
        writer = repository.begin()  # BEGIN IMMEDIATE: the write lock, held from now on
        try:
            writer.billing.credit(user.id, Decimal(1))
            began = time.monotonic()
            for _ in range(50):
                with repository.read() as uow:
                    assert uow.users.get(user.id) == user
                    assert uow.billing.balance(user.id) == Decimal(0)  # the committed state
            # SQLite's busy timeout is 30 s: a read that waited would take that long.
            assert time.monotonic() - began < 10
        finally:
            writer.rollback()
            writer.close()
    finally:
        repository.close()


def test_a_writer_that_meets_the_lock_past_the_timeout_gets_busy_not_an_operational_error(
    tmp_path, monkeypatch
):
    from qdispatch_core.errors import Busy
    from qdispatch_sql import engine as engines

    monkeypatch.setattr(engines, "SQLITE_BUSY_TIMEOUT_S", 0.3)
    repository = SqlRepository(sqlite_url(tmp_path))
    try:
        holder = repository.begin()
        try:
            try:
                repository.begin()
            except Busy as exc:
                assert exc.code == 503 and "try again" in exc.message
            else:
                raise AssertionError("a second writer got the lock")
        finally:
            holder.rollback()
            holder.close()
        with repository.begin() as uow:  # free again: writes go through
            uow.commit()
    finally:
        repository.close()


def test_a_writer_in_another_process_still_meets_sqlites_busy_timeout(tmp_path, monkeypatch):
    """Writers of one process queue on a lock (SqlRepository); another engine on the same file
    (another process) is not in that queue: SQLite's own lock and busy timeout hold it off."""
    from qdispatch_core.errors import Busy
    from qdispatch_sql import engine as engines

    monkeypatch.setattr(engines, "SQLITE_BUSY_TIMEOUT_S", 0.3)
    here, there = SqlRepository(sqlite_url(tmp_path)), SqlRepository(sqlite_url(tmp_path))
    try:
        holder = here.begin()
        try:
            began = time.monotonic()
            try:
                there.begin()
            except Busy as exc:
                assert "try again" in exc.message
            else:
                raise AssertionError("a writer of another engine got the lock")
            assert time.monotonic() - began >= 0.25  # it waited in SQLite's busy handler
        finally:
            holder.rollback()
            holder.close()
        with there.begin() as uow:
            uow.commit()
    finally:
        here.close()
        there.close()


def test_writers_of_one_process_go_in_one_after_another_as_each_ends(tmp_path):
    """A second writer waits for the first (it never fails, never sees a half-done write) and
    goes in once the first commits; the lock is free again after either ending."""
    repository = SqlRepository(sqlite_url(tmp_path))
    try:
        from qdispatch_core.domain import User

        user = User("usr_queued", "queued", at(0))
        first = repository.begin()
        first.users.add(user)
        seen: list = []

        def second() -> None:
            with repository.begin() as uow:
                seen.append(uow.users.get(user.id))
                uow.commit()

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive() and not seen  # queued behind the first writer
        first.commit()
        first.close()
        thread.join(10)
        assert not thread.is_alive() and seen == [user]
        rolled_back = repository.begin()  # a rollback and a close free it as well
        rolled_back.rollback()
        rolled_back.close()
        with repository.begin() as uow:
            uow.commit()
    finally:
        repository.close()


def test_the_read_use_cases_never_take_the_write_lock(tmp_path):
    """`jobs show/list`, experiments, circuits, API-key checks: no BEGIN IMMEDIATE."""
    from sqlalchemy import event

    from qdispatch_core import usecases

    repository = SqlRepository(sqlite_url(tmp_path))
    try:
        services = sql_services(repository)
        user = ensure_user(services, "alice", 100)
        experiment = create_experiment(services, user, "exp")
        job_id = submit_run(services, user, qpu_request(experiment)).job_id
        circuit_id = usecases.get_job(services, user, job_id).job.circuit_ids[0]
        begins: list[str] = []

        def record(statement: str) -> None:
            if statement.startswith("BEGIN"):
                begins.append(statement)

        # BEGIN goes straight to the driver (qdispatch_sql.engine._begin): watched there, on
        # connections opened from now on.
        repository.engine.dispose()
        event.listen(
            repository.engine, "connect", lambda dbapi, _: dbapi.set_trace_callback(record)
        )
        usecases.get_job(services, user, job_id)
        usecases.list_jobs(services, user)
        usecases.list_experiments(services, user)
        usecases.get_experiment(services, user, experiment.id)
        usecases.create_experiment(services, user, "exp")  # exists: a read
        usecases.get_circuit(services, user, circuit_id)
        usecases.list_circuits(services, user, experiment.id)
        usecases.list_users(services)
        assert begins and set(begins) == {"BEGIN"}
    finally:
        repository.close()


def test_sqlite_units_of_work_dispatch_no_connection_events(tmp_path):
    """One "begin" listener made SQLAlchemy dispatch events around every statement (issue
    15); BEGIN is the dialect's step instead. A read that sent nothing leaves no read-only
    mark behind: the next writer on that pooled connection still takes the write lock."""
    from sqlalchemy import event

    repository = SqlRepository(sqlite_url(tmp_path))
    try:
        assert not repository.engine._has_events
        begins: list[str] = []
        repository.engine.dispose()
        event.listen(
            repository.engine,
            "connect",
            lambda dbapi, _: dbapi.set_trace_callback(
                lambda s: begins.append(s) if s.startswith("BEGIN") else None
            ),
        )
        repository.read().close()  # no statement: no BEGIN, and no mark left
        with repository.begin() as uow:
            uow.commit()
        with repository.read() as uow:
            uow.users.list()
        with repository.begin() as uow:
            uow.commit()
        assert begins == ["BEGIN IMMEDIATE", "BEGIN", "BEGIN IMMEDIATE"]
        assert not repository.engine._has_events
    finally:
        repository.close()


def test_of_many_workers_storing_the_last_shards_at_once_exactly_one_sees_none_left(
    sql_repository,
):
    """What makes 'the worker that stores the last shard finishes the job' safe (issue 15):
    each storer locks the job's row, stores its shard, then counts what is left."""
    from qdispatch_core.domain import Shard

    ((_, experiment, circuit),) = RepositoryContract().seed(sql_repository)
    job = make_job(experiment, circuit)
    with sql_repository.begin() as uow:
        uow.jobs.add(job)
        uow.shards.create(job.id, [Shard(i, i, 1) for i in range(THREADS)])
        for i in range(THREADS):
            uow.shards.claim(job.id, i, f"w{i}", at(0), at(30))
        uow.commit()

    def store(i: int) -> int:
        with sql_repository.begin() as uow:
            uow.jobs.lock(job.id)
            uow.shards.complete(job.id, i, f"w{i}", [{"0": 1}], [], at(1), at(2))
            time.sleep(0.02)  # widen the window in which two storers could both count
            done, left = uow.shards.tally(job.id)
            uow.jobs.record_progress(job.id, done)
            uow.commit()
            return left

    lefts = race(THREADS, store)
    assert sorted(lefts) == list(range(THREADS))  # each count saw every earlier store
    with sql_repository.read() as uow:
        assert uow.jobs.get_for_worker(job.id).progress.done == THREADS
