"""Shards of local jobs: the layout, per-shard compare-and-set claims and completions.

Like the jobs store, every conditional write is one UPDATE whose WHERE clause holds the
condition, judged by the rows it changed, so two workers can never both claim one shard (on
PostgreSQL the second writer re-checks the WHERE clause once the first commits).
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
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from qdispatch_core.domain import JobStatus, Shard, ShardRecord, ShardStatus
from qdispatch_core.errors import Conflict, LeaseLost
from qdispatch_core.ports import ShardStore
from qdispatch_sql.schema import job_shards, jobs
from qdispatch_sql.wakeups import notify_work

T = job_shards
_SUMMARY = [c for c in T.c if c.name != "outputs"]


def _record(row: Any, with_outputs: bool) -> ShardRecord:
    return ShardRecord(
        job_id=row.job_id,
        shard=Shard(row.shard_index, row.first_executable, row.executables),
        status=ShardStatus(row.status),
        outputs=row.outputs if with_outputs else None,
        notes=tuple(row.notes),
        lease_owner=row.lease_owner,
        lease_expires_at=row.lease_expires_at,
        attempts=row.attempts,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def _running_by(job_id: str, worker_id: str):
    return and_(
        T.c.job_id == job_id,
        T.c.status == ShardStatus.RUNNING.value,
        T.c.lease_owner == worker_id,
    )


def _free(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """A shard any worker may claim: PENDING, or RUNNING under a lease that expired."""
    return or_(
        T.c.status == ShardStatus.PENDING.value,
        and_(
            T.c.status == ShardStatus.RUNNING.value,
            or_(T.c.lease_expires_at.is_(None), T.c.lease_expires_at <= now),
        ),
    )


# Built once, its values bound: every shard of every job is claimed with it (issue 15).
_SHARD_CLAIM = (
    update(T)
    .where(T.c.job_id == bindparam("w_job"), T.c.shard_index == bindparam("w_index"))
    .where(_free(bindparam("now")))
    .values(
        status=ShardStatus.RUNNING.value,
        lease_owner=bindparam("v_owner"),
        lease_expires_at=bindparam("v_until"),
        attempts=T.c.attempts + 1,
    )
    .returning(*_SUMMARY)
)


@functools.cache
def _open_jobs_query(limit: int) -> Select[Any]:
    """Built once per limit, `now` bound: idle worker threads run it whenever they find no
    job to claim (issue 15)."""
    has_free_shard = (
        select(T.c.job_id).where(T.c.job_id == jobs.c.id, _free(bindparam("now"))).limit(1).exists()
    )
    return (
        select(jobs.c.id)
        .where(
            jobs.c.status == JobStatus.RUNNING.value,
            jobs.c.cancel_requested.is_(False),
            has_free_shard,
        )
        .order_by(jobs.c.created_at, jobs.c.id)
        .limit(limit)
    )


class SqlShards(ShardStore):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def create(self, job_id: str, shards: Sequence[Shard]) -> None:
        exists = self.conn.execute(select(T.c.shard_index).where(T.c.job_id == job_id).limit(1))
        if exists.first() is not None:
            raise Conflict(f"job {job_id} has shards already", field="job_id")
        rows = [
            {
                "job_id": job_id,
                "shard_index": s.index,
                "first_executable": s.first,
                "executables": s.count,
                "status": ShardStatus.PENDING.value,
                "notes": [],
                "attempts": 0,
            }
            for s in shards
        ]
        if rows:
            self.conn.execute(insert(T), rows)
        if len(rows) > 1:  # shards other workers may take
            notify_work(self.conn)

    def list(self, job_id: str, *, outputs: bool = False) -> list[ShardRecord]:
        columns = list(T.c) if outputs else _SUMMARY
        query = select(*columns).where(T.c.job_id == job_id).order_by(T.c.shard_index)
        return [_record(row, outputs) for row in self.conn.execute(query)]

    def claim(
        self, job_id: str, index: int, worker_id: str, now: datetime, until: datetime
    ) -> ShardRecord | None:
        values = {
            "w_job": job_id,
            "w_index": index,
            "now": now,
            "v_owner": worker_id,
            "v_until": until,
        }
        row = self.conn.execute(_SHARD_CLAIM, values).first()
        return None if row is None else _record(row, False)

    def complete(
        self,
        job_id: str,
        index: int,
        worker_id: str,
        outputs: Sequence[Any],
        notes: Sequence[str],
        started_at: datetime | None,
        finished_at: datetime | None,
    ) -> None:
        changed = self.conn.execute(
            update(T)
            .where(_running_by(job_id, worker_id), T.c.shard_index == index)
            .values(
                status=ShardStatus.DONE.value,
                outputs=list(outputs),
                notes=list(notes),
                lease_owner=None,
                lease_expires_at=None,
                started_at=started_at,
                finished_at=finished_at,
            )
        ).rowcount
        if changed == 0:
            raise LeaseLost(f"shard {index} of job {job_id} is not running under {worker_id}")

    def open_jobs(self, now: datetime, limit: int) -> builtins.list[str]:
        return list(self.conn.execute(_open_jobs_query(limit), {"now": now}).scalars())

    def tally(self, job_id: str) -> tuple[int, int]:
        is_done = T.c.status == ShardStatus.DONE.value
        query = select(
            func.coalesce(func.sum(T.c.executables).filter(is_done), 0),
            func.count().filter(~is_done),
        ).where(T.c.job_id == job_id)
        done, left = self.conn.execute(query).one()
        return int(done), int(left)

    def renew(self, job_id: str, worker_id: str, until: datetime) -> int:
        return self.conn.execute(
            update(T).where(_running_by(job_id, worker_id)).values(lease_expires_at=until)
        ).rowcount

    def release(self, job_id: str, worker_id: str) -> int:
        released = self.conn.execute(
            update(T)
            .where(_running_by(job_id, worker_id))
            .values(status=ShardStatus.PENDING.value, lease_owner=None, lease_expires_at=None)
        ).rowcount
        if released:
            notify_work(self.conn)
        return released

    def delete(self, job_id: str) -> None:
        self.conn.execute(delete(T).where(T.c.job_id == job_id))
