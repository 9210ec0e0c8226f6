"""Read-only reports across tables: experiments with their counts, job listings with what the
ledger charged them, spending per day/device/experiment, open reservations.

Listings select the columns they show and never the request's payload or the results, which
can be megabytes per job.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Connection, String, and_, case, func, literal_column, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from qdispatch_core.domain import JobStatus, Progress, RunType
from qdispatch_core.ports import (
    ExperimentSummary,
    JobListing,
    JobQuery,
    JobSort,
    ReportStore,
    Reservation,
    SpendRow,
)
from qdispatch_core.ports.billing import EntryKind
from qdispatch_sql.billing import from_micros
from qdispatch_sql.rows import _cost_from_json as cost_from_json
from qdispatch_sql.rows import experiment_from_row
from qdispatch_sql.schema import circuits, experiments, is_active, jobs, ledger_entries

_LISTED = (
    jobs.c.id,
    jobs.c.name,
    jobs.c.experiment_id,
    jobs.c.device_id,
    jobs.c.provider,
    jobs.c.run_type,
    jobs.c.status,
    jobs.c.dry_run,
    jobs.c.use_mitigation,
    jobs.c.created_at,
    jobs.c.finished_at,
    jobs.c.progress_done,
    jobs.c.progress_total,
    jobs.c.estimated_cost,
    jobs.c.cost,
    jobs.c.cancel_requested,
)

_STATUS_RANK = case({s.value: i for i, s in enumerate(JobStatus)}, value=jobs.c.status, else_=99)


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlReports(ReportStore):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @property
    def _postgres(self) -> bool:
        return self.conn.dialect.name == "postgresql"

    def _charges(self, owner_id: str):
        """Micro-dollars charged per job of the owner (positive)."""
        return (
            select(
                ledger_entries.c.job_id.label("job_id"),
                (-func.sum(ledger_entries.c.amount_micros)).label("micros"),
            )
            .where(
                ledger_entries.c.user_id == owner_id,
                ledger_entries.c.kind == EntryKind.CHARGE.value,
            )
            .group_by(ledger_entries.c.job_id)
            .subquery()
        )

    # -- experiments -----------------------------------------------------------------------

    def experiment_summaries(self, owner_id: str) -> list[ExperimentSummary]:
        circuit_counts = (
            select(
                circuits.c.experiment_id,
                func.count().label("n"),
                func.max(circuits.c.created_at).label("newest"),
            )
            .where(circuits.c.owner_id == owner_id)
            .group_by(circuits.c.experiment_id)
            .subquery()
        )
        charges = self._charges(owner_id)
        job_counts = (
            select(
                jobs.c.experiment_id,
                func.count().label("n"),
                func.sum(case((is_active(jobs.c.status), 1), else_=0)).label("active"),
                func.max(jobs.c.created_at).label("newest"),
                func.max(jobs.c.finished_at).label("finished"),
                func.sum(func.coalesce(charges.c.micros, 0)).label("micros"),
            )
            .select_from(jobs.outerjoin(charges, charges.c.job_id == jobs.c.id))
            .where(jobs.c.owner_id == owner_id)
            .group_by(jobs.c.experiment_id)
            .subquery()
        )
        query = (
            select(
                experiments,
                func.coalesce(circuit_counts.c.n, 0).label("circuit_count"),
                circuit_counts.c.newest.label("circuit_newest"),
                func.coalesce(job_counts.c.n, 0).label("job_count"),
                func.coalesce(job_counts.c.active, 0).label("job_active"),
                job_counts.c.newest.label("job_newest"),
                job_counts.c.finished.label("job_finished"),
                func.coalesce(job_counts.c.micros, 0).label("micros"),
            )
            .select_from(
                experiments.outerjoin(
                    circuit_counts, circuit_counts.c.experiment_id == experiments.c.id
                ).outerjoin(job_counts, job_counts.c.experiment_id == experiments.c.id)
            )
            .where(experiments.c.owner_id == owner_id)
            .order_by(experiments.c.created_at.desc(), experiments.c.id.desc())
        )
        return [self._summary(row) for row in self.conn.execute(query)]

    @staticmethod
    def _summary(row) -> ExperimentSummary:
        experiment = experiment_from_row(row)
        times = [experiment.created_at] + [
            _utc(t) for t in (row.circuit_newest, row.job_newest, row.job_finished) if t
        ]
        return ExperimentSummary(
            experiment=experiment,
            circuits=int(row.circuit_count),
            jobs=int(row.job_count),
            active_jobs=int(row.job_active),
            last_activity=max(times),
            spent_usd=from_micros(int(row.micros)),
        )

    # -- jobs ------------------------------------------------------------------------------

    def _sort_column(self, sort: JobSort) -> ColumnElement:
        column = {
            JobSort.CREATED: jobs.c.created_at,
            JobSort.FINISHED: jobs.c.finished_at,
            JobSort.STATUS: _STATUS_RANK,
            JobSort.DEVICE: jobs.c.device_id,
            JobSort.NAME: jobs.c.name,
            JobSort.COST: literal_column("charged_micros"),  # the SELECT's label
        }[sort]
        if self._postgres and sort in (JobSort.DEVICE, JobSort.NAME):
            column = column.collate("C")  # byte order, as SQLite and Python compare
        return column

    def search_jobs(self, owner_id: str, query: JobQuery) -> list[JobListing]:
        charges = self._charges(owner_id)
        charged = func.coalesce(charges.c.micros, 0).label("charged_micros")
        stmt = (
            select(*_LISTED, charged)
            .select_from(jobs.outerjoin(charges, charges.c.job_id == jobs.c.id))
            .where(jobs.c.owner_id == owner_id, *self._filters(query))
        )
        key = self._sort_column(query.sort)
        key = key.desc() if query.descending else key.asc()
        stmt = stmt.order_by(key.nulls_last(), jobs.c.created_at.desc(), jobs.c.id.desc())
        stmt = stmt.limit(query.limit).offset(query.offset)
        return [_listing(row) for row in self.conn.execute(stmt)]

    @staticmethod
    def _filters(q: JobQuery) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if q.experiment_id is not None:
            where.append(jobs.c.experiment_id == q.experiment_id)
        if q.statuses:
            where.append(jobs.c.status.in_([s.value for s in q.statuses]))
        if q.device_id is not None:
            where.append(jobs.c.device_id == q.device_id)
        if q.dry_run is not None:
            where.append(jobs.c.dry_run == q.dry_run)
        if q.circuit_id is not None:
            # circuit_ids is a JSON list kept as text; an id appears in it as "id".
            text = type_coerce(jobs.c.circuit_ids, String)
            where.append(text.like(f'%"{_like_literal(q.circuit_id)}"%', escape="\\"))
        if q.created_from is not None:
            where.append(jobs.c.created_at >= q.created_from)
        if q.created_before is not None:
            where.append(jobs.c.created_at < q.created_before)
        return where

    # -- money -----------------------------------------------------------------------------

    def _utc_day(self, column: ColumnElement) -> ColumnElement:
        if self._postgres:
            return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
        return func.substr(column, 1, 10)  # SQLite keeps UTC wall time as ISO text

    def spending(self, owner_id: str, since: datetime, until: datetime) -> list[SpendRow]:
        day = self._utc_day(ledger_entries.c.created_at).label("day")
        owned_job = and_(jobs.c.id == ledger_entries.c.job_id, jobs.c.owner_id == owner_id)
        query = (
            select(
                day,
                jobs.c.device_id,
                jobs.c.experiment_id,
                (-func.sum(ledger_entries.c.amount_micros)).label("micros"),
                func.count(func.distinct(ledger_entries.c.job_id)).label("jobs"),
            )
            .select_from(ledger_entries.outerjoin(jobs, owned_job))
            .where(
                ledger_entries.c.user_id == owner_id,
                ledger_entries.c.kind == EntryKind.CHARGE.value,
                ledger_entries.c.created_at >= since,
                ledger_entries.c.created_at < until,
            )
            .group_by(day, jobs.c.device_id, jobs.c.experiment_id)
        )
        return [
            SpendRow(
                day=date.fromisoformat(row.day),
                device_id=row.device_id,
                experiment_id=row.experiment_id,
                usd=from_micros(int(row.micros)),
                jobs=int(row.jobs),
            )
            for row in self.conn.execute(query)
        ]

    def open_reservations(self, owner_id: str) -> list[Reservation]:
        net = func.sum(ledger_entries.c.amount_micros)
        held = (
            select(
                ledger_entries.c.job_id.label("job_id"),
                net.label("net"),
                func.min(ledger_entries.c.id).label("first_entry"),
            )
            .where(
                ledger_entries.c.user_id == owner_id,
                ledger_entries.c.job_id.is_not(None),
                ledger_entries.c.kind.in_([EntryKind.RESERVE.value, EntryKind.RELEASE.value]),
            )
            .group_by(ledger_entries.c.job_id)
            .having(net < 0)
            .subquery()
        )
        first = ledger_entries.alias("first")
        owned_job = and_(jobs.c.id == held.c.job_id, jobs.c.owner_id == owner_id)
        query = (
            select(
                held.c.job_id,
                held.c.net,
                first.c.created_at,
                jobs.c.name,
                jobs.c.device_id,
                jobs.c.status,
            )
            .select_from(
                held.join(first, first.c.id == held.c.first_entry).outerjoin(jobs, owned_job)
            )
            .order_by(held.c.first_entry)
        )
        return [
            Reservation(
                job_id=row.job_id,
                held_usd=from_micros(-int(row.net)),
                since=row.created_at,
                job_name=row.name,
                device_id=row.device_id,
                status=JobStatus(row.status) if row.status else None,
            )
            for row in self.conn.execute(query)
        ]


def _utc(value: datetime | str) -> datetime:
    if isinstance(value, str):  # in case a driver answers MAX() over a datetime with text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _listing(row) -> JobListing:
    return JobListing(
        id=row.id,
        name=row.name,
        experiment_id=row.experiment_id,
        device_id=row.device_id,
        provider=row.provider,
        run_type=RunType(row.run_type),
        status=JobStatus(row.status),
        dry_run=bool(row.dry_run),
        use_mitigation=bool(row.use_mitigation),
        created_at=row.created_at,
        finished_at=row.finished_at,
        progress=Progress(row.progress_done, row.progress_total),
        estimated_cost=cost_from_json(row.estimated_cost),
        cost=cost_from_json(row.cost),
        cancel_requested=bool(row.cancel_requested),
        charged_usd=from_micros(int(row.charged_micros)),
    )
