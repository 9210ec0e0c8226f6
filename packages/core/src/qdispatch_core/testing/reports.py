"""The report store over the in-memory repository's state: the reference the SQL queries are
checked against by the contract suite."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from qdispatch_core.domain import Job
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
from qdispatch_core.ports.reports import STATUS_ORDER

if TYPE_CHECKING:
    from qdispatch_core.testing.memory import _State

_EPOCH = datetime.min.replace(tzinfo=UTC)


class InMemoryReports(ReportStore):
    def __init__(self, s: _State) -> None:
        self.s = s

    def _jobs(self, owner_id: str) -> list[Job]:
        return [j for j in self.s.jobs.values() if j.owner_id == owner_id]

    def _charged(self, owner_id: str) -> dict[str, Decimal]:
        charged: dict[str, Decimal] = defaultdict(Decimal)
        for e in self.s.ledger:
            if e.user_id == owner_id and e.kind is EntryKind.CHARGE and e.job_id:
                charged[e.job_id] -= e.amount
        return charged

    def experiment_summaries(self, owner_id: str) -> list[ExperimentSummary]:
        charged = self._charged(owner_id)
        jobs = self._jobs(owner_id)
        out = []
        for e in self.s.experiments.values():
            if e.owner_id != owner_id:
                continue
            mine = [j for j in jobs if j.experiment_id == e.id]
            circuits = [c for c in self.s.circuits.values() if c.experiment_id == e.id]
            times = [e.created_at, *(c.created_at for c in circuits)]
            times += [j.created_at for j in mine] + [j.finished_at for j in mine if j.finished_at]
            out.append(
                ExperimentSummary(
                    experiment=e,
                    circuits=len(circuits),
                    jobs=len(mine),
                    active_jobs=sum(1 for j in mine if not j.is_final),
                    last_activity=max(times),
                    spent_usd=sum((charged.get(j.id, Decimal(0)) for j in mine), Decimal(0)),
                )
            )
        return sorted(out, key=lambda s: (s.experiment.created_at, s.experiment.id), reverse=True)

    def search_jobs(self, owner_id: str, query: JobQuery) -> list[JobListing]:
        charged = self._charged(owner_id)
        listed = [_listing(j, charged.get(j.id, Decimal(0))) for j in self._jobs(owner_id)]
        jobs = {j.id: j for j in self._jobs(owner_id)}
        matching = [x for x in listed if _matches(jobs[x.id], query)]
        # Ties newest first then by id, whatever the direction of the main key (as in SQL).
        matching.sort(key=lambda x: (x.created_at, x.id), reverse=True)
        present = [x for x in matching if _sort_key(x, query.sort) is not None]
        absent = [x for x in matching if _sort_key(x, query.sort) is None]
        present.sort(key=lambda x: _sort_key(x, query.sort), reverse=query.descending)
        ordered = present + absent  # a missing value (not finished yet) sorts last either way
        return ordered[query.offset : query.offset + query.limit]

    def spending(self, owner_id: str, since: datetime, until: datetime) -> list[SpendRow]:
        groups: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [Decimal(0), set()])
        for e in self.s.ledger:
            if e.user_id != owner_id or e.kind is not EntryKind.CHARGE:
                continue
            if not since <= e.created_at < until:
                continue
            job = self.s.jobs.get(e.job_id or "")
            job = job if job is not None and job.owner_id == owner_id else None
            key = (
                e.created_at.astimezone(UTC).date(),
                job.device_id if job else None,
                job.experiment_id if job else None,
            )
            groups[key][0] -= e.amount
            groups[key][1].add(e.job_id)
        return [
            SpendRow(d, dev, exp, usd, len(ids)) for (d, dev, exp), (usd, ids) in groups.items()
        ]

    def open_reservations(self, owner_id: str) -> list[Reservation]:
        held: dict[str, Decimal] = defaultdict(Decimal)
        since: dict[str, datetime] = {}
        for e in self.s.ledger:
            if e.user_id != owner_id or not e.job_id:
                continue
            if e.kind in (EntryKind.RESERVE, EntryKind.RELEASE):
                held[e.job_id] -= e.amount
                since.setdefault(e.job_id, e.created_at)
        out = []
        for job_id, amount in held.items():
            if amount <= 0:
                continue
            job = self.s.jobs.get(job_id)
            job = job if job is not None and job.owner_id == owner_id else None
            out.append(
                Reservation(
                    job_id=job_id,
                    held_usd=amount,
                    since=since[job_id],
                    job_name=job.name if job else None,
                    device_id=job.device_id if job else None,
                    status=job.status if job else None,
                )
            )
        return sorted(out, key=lambda r: (r.since, r.job_id))


def _listing(job: Job, charged: Decimal) -> JobListing:
    return JobListing(
        id=job.id,
        name=job.name,
        experiment_id=job.experiment_id,
        device_id=job.device_id,
        provider=job.provider,
        run_type=job.run_type,
        status=job.status,
        dry_run=job.dry_run,
        use_mitigation=job.use_mitigation,
        created_at=job.created_at,
        finished_at=job.finished_at,
        progress=job.progress,
        estimated_cost=job.estimated_cost,
        cost=job.cost,
        cancel_requested=job.cancel_requested,
        charged_usd=charged,
    )


def _matches(job: Job, q: JobQuery) -> bool:
    return (
        (q.experiment_id is None or job.experiment_id == q.experiment_id)
        and (not q.statuses or job.status in q.statuses)
        and (q.device_id is None or job.device_id == q.device_id)
        and (q.dry_run is None or job.dry_run == q.dry_run)
        and (q.circuit_id is None or q.circuit_id in job.circuit_ids)
        and (q.created_from is None or job.created_at >= q.created_from)
        and (q.created_before is None or job.created_at < q.created_before)
    )


def _sort_key(x: JobListing, sort: JobSort) -> Any:
    return {
        JobSort.CREATED: x.created_at,
        JobSort.FINISHED: x.finished_at,
        JobSort.STATUS: STATUS_ORDER.index(x.status),
        JobSort.DEVICE: x.device_id,
        JobSort.NAME: x.name,
        JobSort.COST: x.charged_usd,
    }[sort]
