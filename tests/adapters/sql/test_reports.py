"""SQL-only checks of the report store: spending by UTC day whatever the session's time zone,
and listings that never read the results column."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import event, insert

from qdispatch_core.ports import JobQuery
from qdispatch_core.ports.billing import EntryKind
from qdispatch_sql.schema import ledger_entries
from tests.contract.repository_contract import make_circuit, make_experiment, make_job, make_user


def _charge(conn, user_id: str, job_id: str, micros: int, when: datetime) -> None:
    row = {"user_id": user_id, "kind": EntryKind.CHARGE.value, "amount_micros": -micros,
           "job_id": job_id, "note": "actual cost", "created_at": when}  # fmt: skip
    conn.execute(insert(ledger_entries), [row])


def _seed(repository):
    alice = make_user()
    exp = make_experiment(alice)
    circuit = make_circuit(exp)
    jobs = [make_job(exp, circuit, n, device_id=f"dev_{n % 2}") for n in (1, 2, 3)]
    with repository.begin() as uow:
        uow.users.add(alice)
        uow.experiments.add(exp)
        uow.circuits.add(circuit)
        for job in jobs:
            uow.jobs.add(job)
        uow.commit()
    return alice, exp, jobs


def test_spending_groups_by_utc_day_in_any_session_time_zone(sql_repository):
    repository = sql_repository
    if repository.engine.dialect.name == "postgresql":
        # Fourteen hours ahead of UTC: a local-time day would move every evening charge.
        @event.listens_for(repository.engine, "connect")
        def _far_east(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET TIME ZONE 'Pacific/Kiritimati'")

        repository.engine.dispose()
    alice, exp, jobs = _seed(repository)
    with repository.begin() as uow:
        conn = uow.jobs.conn
        _charge(conn, alice.id, jobs[0].id, 1_000_000, datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
        _charge(conn, alice.id, jobs[1].id, 250_000, datetime(2026, 3, 2, 0, 30, tzinfo=UTC))
        _charge(conn, alice.id, jobs[2].id, 500_000, datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
        _charge(conn, alice.id, jobs[2].id, 7_000_000, datetime(2026, 3, 5, tzinfo=UTC))
        uow.commit()
    since, until = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)
    with repository.begin() as uow:
        rows = uow.reports.spending(alice.id, since, until)
    got = sorted((r.day, r.device_id, r.usd, r.jobs) for r in rows)
    assert got == [
        (date(2026, 3, 1), "dev_1", Decimal(1), 1),
        (date(2026, 3, 2), "dev_0", Decimal("0.25"), 1),
        (date(2026, 3, 2), "dev_1", Decimal("0.5"), 1),
    ]
    assert {r.experiment_id for r in rows} == {exp.id}


def test_listings_never_read_results(sql_repository):
    repository = sql_repository
    alice, _, jobs = _seed(repository)
    statements: list[str] = []
    event.listen(
        repository.engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, *args: statements.append(statement),
    )
    with repository.begin() as uow:
        listed = uow.reports.search_jobs(alice.id, JobQuery())
    assert len(listed) == 3
    selects = [s for s in statements if "FROM jobs" in s]
    assert selects and not any("results" in s or "parameters" in s for s in selects)
