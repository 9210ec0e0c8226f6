"""An in-memory repository: the reference implementation the contract suite checks SQL against.

Transactions are serialised by one lock and rolled back by restoring a snapshot, which is
cheap because entities are immutable.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from qdispatch_core.domain import (
    Circuit,
    Experiment,
    Job,
    JobStatus,
    Shard,
    ShardRecord,
    ShardStatus,
    User,
)
from qdispatch_core.domain.jobs import JOB_REQUEST_FIELDS, RESULT_FIELDS
from qdispatch_core.errors import Conflict, LeaseLost, NotFound, PaymentRequired
from qdispatch_core.ports import (
    Billing,
    CircuitStore,
    ExperimentStore,
    JobFilter,
    JobStore,
    Repository,
    SecretStore,
    ShardStore,
    UnitOfWork,
    UserStore,
)
from qdispatch_core.ports.billing import EntryKind, LedgerEntry, held_for_job
from qdispatch_core.rules.text import quote
from qdispatch_core.testing.reports import InMemoryReports
from qdispatch_core.usecases.services import utcnow


@dataclass
class _State:
    users: dict[str, User] = field(default_factory=dict)
    api_keys: dict[str, str] = field(default_factory=dict)
    experiments: dict[str, Experiment] = field(default_factory=dict)
    circuits: dict[str, Circuit] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    secrets: dict[str, bytes] = field(default_factory=dict)
    ledger: list[LedgerEntry] = field(default_factory=list)
    shards: dict[tuple[str, int], ShardRecord] = field(default_factory=dict)

    def copy(self) -> _State:
        return _State(
            dict(self.users),
            dict(self.api_keys),
            dict(self.experiments),
            dict(self.circuits),
            dict(self.jobs),
            dict(self.secrets),
            list(self.ledger),
            dict(self.shards),
        )


class InMemoryRepository(Repository):
    def __init__(self) -> None:
        self.state = _State()
        self.lock = threading.RLock()
        self.commits = 0

    def begin(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self)


class _Users(UserStore):
    def __init__(self, s: _State) -> None:
        self.s = s

    def add(self, user: User) -> None:
        if any(u.name == user.name for u in self.s.users.values()):
            raise Conflict(f"a user named {user.name!r} exists", field="name")
        self.s.users[user.id] = user

    def get(self, user_id: str) -> User:
        try:
            return self.s.users[user_id]
        except KeyError:
            raise NotFound(f"user: no user {quote(user_id)}", field="user") from None

    def by_name(self, name: str) -> User | None:
        return next((u for u in self.s.users.values() if u.name == name), None)

    def list(self) -> list[User]:
        return sorted(self.s.users.values(), key=lambda u: u.created_at)

    def add_api_key(self, user_id: str, key_hash: str, created_at: datetime) -> None:
        self.get(user_id)
        self.s.api_keys[key_hash] = user_id

    def by_api_key_hash(self, key_hash: str) -> User | None:
        user_id = self.s.api_keys.get(key_hash)
        return self.s.users.get(user_id) if user_id else None


class _Experiments(ExperimentStore):
    def __init__(self, s: _State) -> None:
        self.s = s

    def add(self, experiment: Experiment) -> None:
        if self.by_name(experiment.owner_id, experiment.name) is not None:
            raise Conflict(f"experiment {experiment.name!r} exists", field="name")
        self.s.experiments[experiment.id] = experiment

    def get(self, owner_id: str, experiment_id: str) -> Experiment:
        e = self.s.experiments.get(experiment_id)
        if e is None or e.owner_id != owner_id:
            raise NotFound(
                f"experiment_id: no experiment {quote(experiment_id)}", field="experiment_id"
            )
        return e

    def by_name(self, owner_id: str, name: str) -> Experiment | None:
        return next(
            (e for e in self.s.experiments.values() if e.owner_id == owner_id and e.name == name),
            None,
        )

    def list(self, owner_id: str) -> list[Experiment]:
        mine = [e for e in self.s.experiments.values() if e.owner_id == owner_id]
        return sorted(mine, key=lambda e: (e.created_at, e.id), reverse=True)


class _Circuits(CircuitStore):
    def __init__(self, s: _State) -> None:
        self.s = s

    def add(self, circuit: Circuit) -> None:
        if self.by_hash(circuit.owner_id, circuit.experiment_id, circuit.content_hash):
            raise Conflict("the experiment already holds this circuit", field="circuits_qasm")
        self.s.circuits[circuit.id] = circuit

    def get(self, owner_id: str, circuit_id: str) -> Circuit:
        c = self.s.circuits.get(circuit_id)
        if c is None or c.owner_id != owner_id:
            raise NotFound(f"circuit_id: no circuit {quote(circuit_id)}", field="circuit_id")
        return c

    def get_many(self, owner_id: str, circuit_ids: Sequence[str]) -> list[Circuit]:
        return [self.get(owner_id, i) for i in circuit_ids]

    def by_hash(self, owner_id: str, experiment_id: str, content_hash: str) -> Circuit | None:
        return next(
            (
                c
                for c in self.s.circuits.values()
                if c.owner_id == owner_id
                and c.experiment_id == experiment_id
                and c.content_hash == content_hash
            ),
            None,
        )

    def list(self, owner_id: str, experiment_id: str | None, limit: int) -> list[Circuit]:
        mine = [
            c
            for c in self.s.circuits.values()
            if c.owner_id == owner_id
            and (experiment_id is None or c.experiment_id == experiment_id)
        ]
        return sorted(mine, key=lambda c: (c.created_at, c.id), reverse=True)[:limit]


def _lease_free(job: Job, now: datetime) -> bool:
    return job.lease_expires_at is None or job.lease_expires_at <= now


class _Jobs(JobStore):
    def __init__(self, s: _State) -> None:
        self.s = s

    def add(self, job: Job) -> None:
        if job.id in self.s.jobs:
            raise Conflict(f"job {job.id} exists", field="job_id")
        self.s.jobs[job.id] = job

    def get(self, owner_id: str, job_id: str) -> Job:
        job = self.s.jobs.get(job_id)
        if job is None or job.owner_id != owner_id:
            raise NotFound(f"job_id: no job {quote(job_id)}", field="job_id")
        return job

    def get_for_worker(self, job_id: str) -> Job:
        try:
            return self.s.jobs[job_id]
        except KeyError:
            raise NotFound(f"job_id: no job {quote(job_id)}", field="job_id") from None

    def list(self, owner_id: str, where: JobFilter) -> list[Job]:
        jobs = [
            j
            for j in self.s.jobs.values()
            if j.owner_id == owner_id
            and (where.experiment_id is None or j.experiment_id == where.experiment_id)
            and (where.status is None or j.status is where.status)
            and (where.dry_run is None or j.dry_run is where.dry_run)
        ]
        return sorted(jobs, key=lambda j: (j.created_at, j.id), reverse=True)[: where.limit]

    def lease_owner(self, job_id: str) -> str | None:
        return self.get_for_worker(job_id).lease_owner

    def claimable(self, now: datetime, limit: int) -> builtins.list[str]:
        jobs = [j for j in self.s.jobs.values() if not j.is_final and _lease_free(j, now)]
        return [j.id for j in sorted(jobs, key=lambda j: (j.created_at, j.id))[:limit]]

    def claim(self, job_id: str, worker_id: str, now: datetime, until: datetime) -> Job | None:
        job = self.s.jobs.get(job_id)
        if job is None or job.is_final or not _lease_free(job, now):
            return None
        job = replace(job, lease_owner=worker_id, lease_expires_at=until, attempts=job.attempts + 1)
        self.s.jobs[job_id] = job
        return job

    def save(
        self, job: Job, *, lease_owner: str | None, expected_status: JobStatus | None = None
    ) -> None:
        stored = self.get_for_worker(job.id)
        if stored.is_final:
            raise LeaseLost(f"job {job.id} is already {stored.status.value}")
        if lease_owner is not None and stored.lease_owner != lease_owner:
            raise LeaseLost(f"job {job.id} is leased by {stored.lease_owner}, not {lease_owner}")
        if expected_status is not None and stored.status is not expected_status:
            raise LeaseLost(f"job {job.id} moved to {stored.status.value}")
        fixed = {name: getattr(stored, name) for name in JOB_REQUEST_FIELDS}
        self.s.jobs[job.id] = replace(job, cancel_requested=stored.cancel_requested, **fixed)

    def replace_results(self, job: Job, previous_versions: int) -> None:
        stored = self.get_for_worker(job.id)
        if stored.status is not JobStatus.DONE or len(stored.result_history) != previous_versions:
            raise LeaseLost(f"job {job.id}'s results changed meanwhile")
        self.s.jobs[job.id] = replace(
            stored,
            **{name: getattr(job, name) for name in RESULT_FIELDS},
        )

    def request_cancel(self, owner_id: str, job_id: str) -> Job:
        job = self.get(owner_id, job_id)
        if not job.is_final:
            job = replace(job, cancel_requested=True)
            self.s.jobs[job_id] = job
        return job

    def _held(self, job_id: str, lease_owner: str) -> Job | None:
        job = self.s.jobs.get(job_id)
        if job is None or job.is_final or job.lease_owner != lease_owner:
            return None
        return job

    def renew(self, job_id: str, lease_owner: str, until: datetime) -> bool:
        job = self._held(job_id, lease_owner)
        if job is not None:
            self.s.jobs[job_id] = replace(job, lease_expires_at=until)
        return job is not None

    def lock(self, job_id: str) -> Job:
        return self.get_for_worker(job_id)  # the repository runs one unit of work at a time

    def record_progress(self, job_id: str, done: int) -> None:
        job = self.get_for_worker(job_id)
        if not job.is_final:
            self.s.jobs[job_id] = replace(job, progress=replace(job.progress, done=done))

    def take_over(self, job_id: str, worker_id: str, until: datetime) -> bool:
        job = self.get_for_worker(job_id)
        if job.is_final:
            return False
        self.s.jobs[job_id] = replace(job, lease_owner=worker_id, lease_expires_at=until)
        return True

    def hand_back(self, job_id: str, lease_owner: str) -> bool:
        job = self._held(job_id, lease_owner)
        if job is not None:
            self.s.jobs[job_id] = replace(job, lease_owner=None, lease_expires_at=None)
        return job is not None


class _Shards(ShardStore):
    def __init__(self, s: _State) -> None:
        self.s = s

    def _of(self, job_id: str) -> list[ShardRecord]:
        return sorted((r for (j, _), r in self.s.shards.items() if j == job_id), key=_index)

    def create(self, job_id: str, shards: Sequence[Shard]) -> None:
        if self._of(job_id):
            raise Conflict(f"job {job_id} has shards already", field="job_id")
        for shard in shards:
            self.s.shards[(job_id, shard.index)] = ShardRecord(job_id, shard)

    def list(self, job_id: str, *, outputs: bool = False) -> list[ShardRecord]:
        records = self._of(job_id)
        return records if outputs else [replace(r, outputs=None) for r in records]

    def claim(
        self, job_id: str, index: int, worker_id: str, now: datetime, until: datetime
    ) -> ShardRecord | None:
        record = self.s.shards.get((job_id, index))
        if record is None or record.status is ShardStatus.DONE:
            return None
        if record.status is ShardStatus.RUNNING and not _shard_lease_free(record, now):
            return None
        record = replace(
            record,
            status=ShardStatus.RUNNING,
            lease_owner=worker_id,
            lease_expires_at=until,
            attempts=record.attempts + 1,
        )
        self.s.shards[(job_id, index)] = record
        return record

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
        record = self.s.shards.get((job_id, index))
        if record is None or record.status is not ShardStatus.RUNNING:
            raise LeaseLost(f"shard {index} of job {job_id} is not running")
        if record.lease_owner != worker_id:
            raise LeaseLost(f"shard {index} of job {job_id} is leased by {record.lease_owner}")
        self.s.shards[(job_id, index)] = replace(
            record,
            status=ShardStatus.DONE,
            outputs=list(outputs),
            notes=tuple(notes),
            lease_owner=None,
            lease_expires_at=None,
            started_at=started_at,
            finished_at=finished_at,
        )

    def open_jobs(self, now: datetime, limit: int) -> builtins.list[str]:
        jobs = [
            j
            for j in self.s.jobs.values()
            if j.status is JobStatus.RUNNING
            and not j.cancel_requested
            and any(
                r.status is ShardStatus.PENDING
                or (r.status is ShardStatus.RUNNING and _shard_lease_free(r, now))
                for r in self._of(j.id)
            )
        ]
        return [j.id for j in sorted(jobs, key=lambda j: (j.created_at, j.id))[:limit]]

    def tally(self, job_id: str) -> tuple[int, int]:
        records = self._of(job_id)
        done = [r for r in records if r.status is ShardStatus.DONE]
        return sum(r.shard.count for r in done), len(records) - len(done)

    def _mine(self, job_id: str, worker_id: str) -> builtins.list[ShardRecord]:
        return [
            r
            for r in self._of(job_id)
            if r.status is ShardStatus.RUNNING and r.lease_owner == worker_id
        ]

    def renew(self, job_id: str, worker_id: str, until: datetime) -> int:
        mine = self._mine(job_id, worker_id)
        for r in mine:
            self.s.shards[(job_id, r.index)] = replace(r, lease_expires_at=until)
        return len(mine)

    def release(self, job_id: str, worker_id: str) -> int:
        mine = self._mine(job_id, worker_id)
        for r in mine:
            self.s.shards[(job_id, r.index)] = replace(
                r, status=ShardStatus.PENDING, lease_owner=None, lease_expires_at=None
            )
        return len(mine)

    def delete(self, job_id: str) -> None:
        for key in [k for k in self.s.shards if k[0] == job_id]:
            del self.s.shards[key]


def _index(record: ShardRecord) -> int:
    return record.index


def _shard_lease_free(record: ShardRecord, now: datetime) -> bool:
    return record.lease_expires_at is None or record.lease_expires_at <= now


class _Secrets(SecretStore):
    def __init__(self, s: _State) -> None:
        self.s = s

    def put(self, job_id: str, sealed: bytes) -> None:
        self.s.secrets[job_id] = sealed

    def get(self, job_id: str) -> bytes | None:
        return self.s.secrets.get(job_id)

    def delete(self, job_id: str) -> None:
        self.s.secrets.pop(job_id, None)


class InMemoryBilling(Billing):
    """The ledger in memory: a fresh one when made alone, else the repository's state."""

    def __init__(self, s: _State | None = None) -> None:
        self.s = s if s is not None else _State()

    def _add(
        self, user_id: str, kind: EntryKind, amount: Decimal, job_id: str | None, note: str
    ) -> None:
        self.s.ledger.append(LedgerEntry(user_id, kind, amount, job_id, note, utcnow()))

    def balance(self, user_id: str) -> Decimal:
        return sum((e.amount for e in self.s.ledger if e.user_id == user_id), Decimal(0))

    def credit(self, user_id: str, amount: Decimal, note: str = "") -> None:
        if amount <= 0:
            raise ValueError("a credit must be positive")
        self._add(user_id, EntryKind.CREDIT, amount, None, note)

    def reserve(self, user_id: str, job_id: str, amount: Decimal) -> None:
        if amount <= 0:
            return
        available = self.balance(user_id)
        if available < amount:
            raise PaymentRequired(
                f"the balance is ${available} (reservation needs ${amount})", field="billing"
            )
        self._add(user_id, EntryKind.RESERVE, -amount, job_id, "reserved for the job")

    def charge(self, user_id: str, job_id: str, amount: Decimal) -> Decimal:
        # A job's entries belong to its owner: another user's job id moves nothing here.
        job_entries = [e for e in self.s.ledger if e.job_id == job_id and e.user_id == user_id]
        if any(e.kind is EntryKind.CHARGE for e in job_entries):
            return Decimal(0)
        held = held_for_job(job_entries, job_id)
        charged = min(amount, held)
        if charged <= 0:
            return Decimal(0)
        # A charge converts part of the reservation: release it, then take the cost.
        self._add(user_id, EntryKind.RELEASE, charged, job_id, "reservation used")
        self._add(user_id, EntryKind.CHARGE, -charged, job_id, "actual cost")
        return charged

    def release(self, user_id: str, job_id: str) -> Decimal:
        held = held_for_job([e for e in self.s.ledger if e.user_id == user_id], job_id)
        if held > 0:
            self._add(user_id, EntryKind.RELEASE, held, job_id, "unused reservation")
        return held

    def entries(self, user_id: str) -> list[LedgerEntry]:
        return [e for e in self.s.ledger if e.user_id == user_id]


class InMemoryUnitOfWork(UnitOfWork):
    def __init__(self, repo: InMemoryRepository) -> None:
        repo.lock.acquire()
        self._repo = repo
        self._snapshot = repo.state.copy()
        self._open = True
        self._committed = False
        s = repo.state
        self.users = _Users(s)
        self.experiments = _Experiments(s)
        self.circuits = _Circuits(s)
        self.jobs = _Jobs(s)
        self.shards = _Shards(s)
        self.secrets = _Secrets(s)
        self.billing = InMemoryBilling(s)
        self.reports = InMemoryReports(s)

    def commit(self) -> None:
        self._committed = True
        self._repo.commits += 1
        self._snapshot = self._repo.state.copy()

    def rollback(self) -> None:
        if not self._open:
            return
        restored = self._snapshot
        state = self._repo.state
        state.users, state.api_keys = restored.users, restored.api_keys
        state.experiments, state.circuits = restored.experiments, restored.circuits
        state.jobs, state.secrets, state.ledger = restored.jobs, restored.secrets, restored.ledger
        state.shards = restored.shards
        self._snapshot = state.copy()

    def close(self) -> None:
        if self._open:
            self._open = False
            self._repo.lock.release()
