"""Jobs: owner-scoped reads, and compare-and-set writes for workers.

Every conditional write is one UPDATE whose WHERE clause holds the condition, judged by the
number of rows it changed. On PostgreSQL a second writer of the same row waits for the first
to commit and then re-checks the WHERE clause against the new row, so two workers can never
both take one lease; SQLite runs one writer at a time.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Select,
    Update,
    bindparam,
    or_,
    select,
    update,
)
from sqlalchemy.sql.dml import ReturningUpdate

from qdispatch_core.domain import Job, JobStatus
from qdispatch_core.domain.jobs import JOB_REQUEST_FIELDS, RESULT_FIELDS
from qdispatch_core.errors import Conflict, LeaseLost, NotFound
from qdispatch_core.ports import JobFilter, JobStore
from qdispatch_core.rules.text import quote
from qdispatch_sql.rows import job_from_row, job_to_row
from qdispatch_sql.schema import is_active, jobs
from qdispatch_sql.stores import insert_unique
from qdispatch_sql.wakeups import notify_work

NEWEST_FIRST = (jobs.c.created_at.desc(), jobs.c.id.desc())
OLDEST_FIRST = (jobs.c.created_at, jobs.c.id)


def _not_found(job_id: str) -> NotFound:
    return NotFound(f"job_id: no job {quote(job_id)}", field="job_id")


def _lease_free(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    return or_(jobs.c.lease_expires_at.is_(None), jobs.c.lease_expires_at <= now)


def _why_refused(stored: Job, lease_owner: str | None) -> str:
    if stored.is_final:
        return f"job {stored.id} is already {stored.status.value}"
    if lease_owner is not None and stored.lease_owner != lease_owner:
        return f"job {stored.id} is leased by {stored.lease_owner}, not {lease_owner}"
    return f"job {stored.id} moved to {stored.status.value}"


_NOT_SAVED = JOB_REQUEST_FIELDS | {"id", "cancel_requested"}


@functools.lru_cache(maxsize=16)
def _save_statement(columns: tuple[str, ...], by_owner: bool, by_status: bool) -> Update:
    """The UPDATE of a worker's save, built once per shape: its values and conditions are bound
    parameters, so a save neither rebuilds the statement nor recomputes its cache key (building
    it cost ~1.5 ms of the worker's GIL per save, several saves per small job: issue 15)."""
    conditions = [jobs.c.id == bindparam("w_id"), is_active(jobs.c.status)]
    if by_owner:
        conditions.append(jobs.c.lease_owner == bindparam("w_owner"))
    if by_status:
        conditions.append(jobs.c.status == bindparam("w_status"))
    values = {name: bindparam(f"v_{name}", type_=jobs.c[name].type) for name in columns}
    return update(jobs).where(*conditions).values(values)


def _claim_statement(which: ColumnElement[bool]) -> ReturningUpdate[Any]:
    """The claim of the jobs `which` picks: each row a compare-and-set of its own."""
    return (
        update(jobs)
        .where(which, is_active(jobs.c.status))
        .where(_lease_free(bindparam("now")))
        .values(
            lease_owner=bindparam("v_owner"),
            lease_expires_at=bindparam("v_until"),
            attempts=jobs.c.attempts + 1,
        )
        .returning(*jobs.c)
    )


# Built once, their values bound (issue 15); several at once for a batch of small jobs.
_CLAIM = _claim_statement(jobs.c.id == bindparam("w_job"))
_CLAIM_MANY = _claim_statement(jobs.c.id.in_(bindparam("w_jobs", expanding=True)))
_LEASE_OWNERS = select(jobs.c.id, jobs.c.lease_owner).where(
    jobs.c.id.in_(bindparam("jobs", expanding=True))
)


# The reads every job takes several of (a waiter's, the worker's checks), built once with the
# ids bound: building the SELECT and its cache key was a third of a read's cost (issue 15).
_GET = select(jobs).where(jobs.c.id == bindparam("job"), jobs.c.owner_id == bindparam("owner"))
_GET_FOR_WORKER = select(jobs).where(jobs.c.id == bindparam("job"))
_LEASE_OWNER = select(jobs.c.lease_owner).where(jobs.c.id == bindparam("job"))


@functools.cache
def _claimable_query(limit: int) -> Select[Any]:
    """Built once per limit, `now` bound: idle worker threads run it on every look for work,
    and building it (and its cache key) cost more than running it (issue 15)."""
    return (
        select(jobs.c.id)
        .where(is_active(jobs.c.status), _lease_free(bindparam("now")))
        .order_by(*OLDEST_FIRST)
        .limit(limit)
    )


class SqlJobs(JobStore):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, job: Job) -> None:
        conflict = Conflict(f"job {job.id} exists", field="job_id")
        insert_unique(self.conn, jobs, job_to_row(job), conflict)
        if not job.is_final:  # a dry run is stored final: nothing to wake a worker for
            notify_work(self.conn)

    def get(self, owner_id: str, job_id: str) -> Job:
        row = self.conn.execute(_GET, {"job": job_id, "owner": owner_id}).first()
        if row is None:
            raise _not_found(job_id)
        return job_from_row(row)

    def get_for_worker(self, job_id: str) -> Job:
        row = self.conn.execute(_GET_FOR_WORKER, {"job": job_id}).first()
        if row is None:
            raise _not_found(job_id)
        return job_from_row(row)

    def list(self, owner_id: str, where: JobFilter) -> list[Job]:
        query = select(jobs).where(jobs.c.owner_id == owner_id)
        if where.experiment_id is not None:
            query = query.where(jobs.c.experiment_id == where.experiment_id)
        if where.status is not None:
            query = query.where(jobs.c.status == where.status.value)
        if where.dry_run is not None:
            query = query.where(jobs.c.dry_run == where.dry_run)
        query = query.order_by(*NEWEST_FIRST).limit(where.limit)
        return [job_from_row(r) for r in self.conn.execute(query)]

    def lease_owner(self, job_id: str) -> str | None:
        row = self.conn.execute(_LEASE_OWNER, {"job": job_id}).first()
        if row is None:
            raise _not_found(job_id)
        owner: str | None = row[0]
        return owner

    def claimable(self, now: datetime, limit: int) -> builtins.list[str]:
        return list(self.conn.execute(_claimable_query(limit), {"now": now}).scalars())

    def claim(self, job_id: str, worker_id: str, now: datetime, until: datetime) -> Job | None:
        values = {"w_job": job_id, "now": now, "v_owner": worker_id, "v_until": until}
        row = self.conn.execute(_CLAIM, values).first()
        return None if row is None else job_from_row(row)

    def lease_owners(self, job_ids: Sequence[str]) -> dict[str, str | None]:
        if not job_ids:
            return {}
        rows = self.conn.execute(_LEASE_OWNERS, {"jobs": list(job_ids)})
        return {row.id: row.lease_owner for row in rows}

    def claim_many(
        self, job_ids: Sequence[str], worker_id: str, now: datetime, until: datetime
    ) -> builtins.list[Job]:
        if not job_ids:
            return []
        values = {"w_jobs": list(job_ids), "now": now, "v_owner": worker_id, "v_until": until}
        claimed = {row.id: row for row in self.conn.execute(_CLAIM_MANY, values)}
        return [job_from_row(claimed[i]) for i in dict.fromkeys(job_ids) if i in claimed]

    def save(
        self, job: Job, *, lease_owner: str | None, expected_status: JobStatus | None = None
    ) -> None:
        # Only the lifecycle: the request's columns never change (and a sweep's parameters can be
        # megabytes), and only request_cancel sets the cancel flag.
        values = {k: v for k, v in job_to_row(job).items() if k not in _NOT_SAVED}
        statement = _save_statement(
            tuple(values), lease_owner is not None, expected_status is not None
        )
        params = {f"v_{k}": v for k, v in values.items()}
        params["w_id"] = job.id
        if lease_owner is not None:
            params["w_owner"] = lease_owner
        if expected_status is not None:
            params["w_status"] = expected_status.value
        changed = self.conn.execute(statement, params).rowcount
        if changed == 0:
            stored = self.get_for_worker(job.id)  # NotFound when it never existed
            raise LeaseLost(_why_refused(stored, lease_owner))

    def _held(self, job_id: str, lease_owner: str):
        return (jobs.c.id == job_id, is_active(jobs.c.status), jobs.c.lease_owner == lease_owner)

    def renew(self, job_id: str, lease_owner: str, until: datetime) -> bool:
        statement = update(jobs).where(*self._held(job_id, lease_owner))
        return self.conn.execute(statement.values(lease_expires_at=until)).rowcount > 0

    def lock(self, job_id: str) -> Job:
        # FOR UPDATE on PostgreSQL; SQLAlchemy leaves it out on SQLite, whose writer (BEGIN
        # IMMEDIATE) holds the whole database already.
        row = self.conn.execute(select(jobs).where(jobs.c.id == job_id).with_for_update()).first()
        if row is None:
            raise _not_found(job_id)
        return job_from_row(row)

    def record_progress(self, job_id: str, done: int) -> None:
        active = (jobs.c.id == job_id, is_active(jobs.c.status))
        self.conn.execute(update(jobs).where(*active).values(progress_done=done))

    def take_over(self, job_id: str, worker_id: str, until: datetime) -> bool:
        active = (jobs.c.id == job_id, is_active(jobs.c.status))
        taken = update(jobs).where(*active).values(lease_owner=worker_id, lease_expires_at=until)
        return self.conn.execute(taken).rowcount > 0

    def hand_back(self, job_id: str, lease_owner: str) -> bool:
        statement = update(jobs).where(*self._held(job_id, lease_owner))
        cleared = statement.values(lease_owner=None, lease_expires_at=None)
        if self.conn.execute(cleared).rowcount == 0:
            return False
        notify_work(self.conn)
        return True

    def replace_results(self, job: Job, previous_versions: int) -> None:
        row = job_to_row(job)
        values = {name: row[name] for name in (*RESULT_FIELDS, "result_versions")}
        changed = self.conn.execute(
            update(jobs)
            .where(
                jobs.c.id == job.id,
                jobs.c.status == JobStatus.DONE.value,
                jobs.c.result_versions == previous_versions,
            )
            .values(values)
        ).rowcount
        if changed == 0:
            self.get_for_worker(job.id)  # NotFound when it never existed
            raise LeaseLost(f"job {job.id}'s results changed meanwhile")

    def request_cancel(self, owner_id: str, job_id: str) -> Job:
        self.conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.owner_id == owner_id, is_active(jobs.c.status))
            .values(cancel_requested=True)
        )
        return self.get(owner_id, job_id)
