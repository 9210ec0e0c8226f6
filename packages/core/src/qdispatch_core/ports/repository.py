"""The repository port: users, experiments, circuits, jobs, sealed secrets and the ledger,
read and written through an atomic unit of work.

Every read by id is scoped to an owner: another user's id reads as not found (404).
"""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

from qdispatch_core.domain import (
    Circuit,
    Experiment,
    Job,
    JobStatus,
    Shard,
    ShardRecord,
    User,
)
from qdispatch_core.errors import NotFound
from qdispatch_core.ports.billing import Billing
from qdispatch_core.ports.reports import ReportStore


class UserStore(ABC):
    @abstractmethod
    def add(self, user: User) -> None: ...

    @abstractmethod
    def get(self, user_id: str) -> User:
        """NotFound when missing."""

    @abstractmethod
    def by_name(self, name: str) -> User | None: ...

    @abstractmethod
    def list(self) -> list[User]: ...

    @abstractmethod
    def add_api_key(self, user_id: str, key_hash: str, created_at: datetime) -> None:
        """Store only the hash of a key; the key itself is shown once and never kept."""

    @abstractmethod
    def by_api_key_hash(self, key_hash: str) -> User | None: ...


class ExperimentStore(ABC):
    @abstractmethod
    def add(self, experiment: Experiment) -> None:
        """Conflict when the owner already has an experiment with that name."""

    @abstractmethod
    def get(self, owner_id: str, experiment_id: str) -> Experiment:
        """NotFound when missing or owned by someone else."""

    @abstractmethod
    def by_name(self, owner_id: str, name: str) -> Experiment | None: ...

    @abstractmethod
    def list(self, owner_id: str) -> list[Experiment]:
        """Newest first."""


class CircuitStore(ABC):
    @abstractmethod
    def add(self, circuit: Circuit) -> None:
        """Conflict when the experiment already holds a circuit with that content hash."""

    @abstractmethod
    def get(self, owner_id: str, circuit_id: str) -> Circuit:
        """NotFound when missing or owned by someone else."""

    @abstractmethod
    def get_many(self, owner_id: str, circuit_ids: Sequence[str]) -> list[Circuit]:
        """In the order asked; NotFound (naming the first missing id) if any is missing."""

    @abstractmethod
    def by_hash(self, owner_id: str, experiment_id: str, content_hash: str) -> Circuit | None: ...

    @abstractmethod
    def list(self, owner_id: str, experiment_id: str | None, limit: int) -> list[Circuit]:
        """Newest first; every experiment's when `experiment_id` is None."""


@dataclass(frozen=True, slots=True)
class JobFilter:
    experiment_id: str | None = None
    status: JobStatus | None = None
    limit: int = 50
    dry_run: bool | None = None  # None: both; True: dry runs only; False: real runs only


class JobStore(ABC):
    @abstractmethod
    def add(self, job: Job) -> None: ...

    @abstractmethod
    def get(self, owner_id: str, job_id: str) -> Job:
        """NotFound when missing or owned by someone else."""

    @abstractmethod
    def get_for_worker(self, job_id: str) -> Job:
        """Unscoped read for the worker, which acts on behalf of every owner."""

    @abstractmethod
    def list(self, owner_id: str, where: JobFilter) -> list[Job]:
        """Newest first, at most `where.limit`."""

    @abstractmethod
    def lease_owner(self, job_id: str) -> str | None:
        """Who holds (or last held) the job's lease; NotFound for an unknown job. One column,
        where `get_for_worker` reads the whole row: the claim needs only this."""

    @abstractmethod
    def claimable(self, now: datetime, limit: int) -> builtins.list[str]:
        """Ids of non-final jobs with no live lease, oldest first."""

    @abstractmethod
    def claim(self, job_id: str, worker_id: str, now: datetime, until: datetime) -> Job | None:
        """Compare-and-set: take the lease if the job is non-final and its lease is free or
        expired; return the job as claimed (attempts incremented), or None if someone else has
        it. Two workers can never both succeed."""

    def lease_owners(self, job_ids: Sequence[str]) -> dict[str, str | None]:
        """`lease_owner` of several jobs at once; unknown ids are left out. A store may answer
        in one statement (a batch of small jobs claims several, issue 15)."""
        owners: dict[str, str | None] = {}
        for job_id in job_ids:
            try:
                owners[job_id] = self.lease_owner(job_id)
            except NotFound:
                continue
        return owners

    def claim_many(
        self, job_ids: Sequence[str], worker_id: str, now: datetime, until: datetime
    ) -> builtins.list[Job]:
        """`claim` of several jobs at once, each a compare-and-set of its own: the jobs taken,
        in the order given (those someone else holds, final or unknown ones are left out)."""
        claimed = (self.claim(job_id, worker_id, now, until) for job_id in job_ids)
        return [job for job in claimed if job is not None]

    @abstractmethod
    def save(
        self, job: Job, *, lease_owner: str | None, expected_status: JobStatus | None = None
    ) -> None:
        """Overwrite the stored job's lifecycle with `job`'s: every field except the request's
        (`JOB_REQUEST_FIELDS`, fixed at submission and never rewritten) and `cancel_requested`,
        which only `request_cancel` sets (so a worker's write never clears a user's request).

        Compare-and-set: refused with LeaseLost when the stored job is final, when
        `lease_owner` is given and the stored lease is not held by it, or when
        `expected_status` is given and the stored status differs.
        """

    @abstractmethod
    def replace_results(self, job: Job, previous_versions: int) -> None:
        """Store a Done job's recomputed results: results, uncertainties, raw_results,
        mitigation, logs and result_history only. Compare-and-set: LeaseLost unless the stored
        job is Done with `previous_versions` entries in its history (another recompute got
        there first otherwise)."""

    @abstractmethod
    def request_cancel(self, owner_id: str, job_id: str) -> Job:
        """Set the job's cancel flag (NotFound for another owner's job); returns the job."""

    @abstractmethod
    def renew(self, job_id: str, lease_owner: str, until: datetime) -> bool:
        """Compare-and-set: move the lease's expiry of a non-final job held by `lease_owner`
        to `until`, touching nothing else (a heartbeat must not overwrite what the job's own
        thread writes). False when the lease is not held."""

    @abstractmethod
    def lock(self, job_id: str) -> Job:
        """Read the job and hold its row until the unit of work ends (SELECT ... FOR UPDATE on
        PostgreSQL; SQLite's writer holds the whole database): the workers storing shards of
        one job take turns, so exactly one of them sees the last shard stored."""

    @abstractmethod
    def record_progress(self, job_id: str, done: int) -> None:
        """Set the progress of a non-final job, whoever holds its lease (a worker that stores
        a shard of a job another worker coordinates)."""

    @abstractmethod
    def take_over(self, job_id: str, worker_id: str, until: datetime) -> bool:
        """Lease the non-final job to `worker_id` whoever held it: the worker that stored a
        sweep's last shard finishes the job. False when the job is final."""

    @abstractmethod
    def hand_back(self, job_id: str, lease_owner: str) -> bool:
        """Compare-and-set: clear the lease `lease_owner` holds (a worker stopping cleanly), so
        any worker may claim the job at once. False when it did not hold it."""


class ShardStore(ABC):
    """A local job's shards (domain/shards.py): created once, claimed, completed, handed back.

    Every change is a compare-and-set, per shard, so that workers may share a job's shards."""

    @abstractmethod
    def create(self, job_id: str, shards: Sequence[Shard]) -> None:
        """Store the job's layout, every shard PENDING; Conflict when it has one already."""

    @abstractmethod
    def list(self, job_id: str, *, outputs: bool = False) -> list[ShardRecord]:
        """The job's shards in index order; without their outputs unless asked (cheap)."""

    @abstractmethod
    def claim(
        self, job_id: str, index: int, worker_id: str, now: datetime, until: datetime
    ) -> ShardRecord | None:
        """Take a shard that is PENDING, or RUNNING under an expired lease: RUNNING, leased
        to `worker_id` until `until`, attempts + 1. None when it is DONE or someone holds it."""

    @abstractmethod
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
        """Store the shard's outputs: DONE, lease cleared. LeaseLost unless `worker_id` holds
        it (so a shard's outputs are stored once)."""

    @abstractmethod
    def open_jobs(self, now: datetime, limit: int) -> builtins.list[str]:
        """Ids of Running jobs, not being cancelled, with a shard any worker may claim (PENDING,
        or RUNNING under an expired lease), oldest first: work for idle workers."""

    @abstractmethod
    def tally(self, job_id: str) -> tuple[int, int]:
        """(executables in DONE shards, shards not DONE) of the job."""

    @abstractmethod
    def renew(self, job_id: str, worker_id: str, until: datetime) -> int:
        """Extend the leases of the job's RUNNING shards `worker_id` holds; how many."""

    @abstractmethod
    def release(self, job_id: str, worker_id: str) -> int:
        """Hand back the RUNNING shards `worker_id` holds: PENDING, lease cleared; how many."""

    @abstractmethod
    def delete(self, job_id: str) -> None:
        """Forget the job's shards (its final results hold everything they had)."""


class SecretStore(ABC):
    """Sealed (encrypted) credentials per job; the core never hands plaintext to a store."""

    @abstractmethod
    def put(self, job_id: str, sealed: bytes) -> None: ...

    @abstractmethod
    def get(self, job_id: str) -> bytes | None: ...

    def get_many(self, job_ids: Sequence[str]) -> dict[str, bytes]:
        """The sealed credentials of several jobs, by job id (jobs with none are left out)."""
        found = ((job_id, self.get(job_id)) for job_id in job_ids)
        return {job_id: sealed for job_id, sealed in found if sealed is not None}

    @abstractmethod
    def delete(self, job_id: str) -> None: ...


class UnitOfWork(ABC):
    """One atomic transaction: everything written inside commits together or not at all.

    Use as a context manager; it commits when `commit()` was called and rolls back otherwise
    (including on any exception).
    """

    users: UserStore
    experiments: ExperimentStore
    circuits: CircuitStore
    jobs: JobStore
    shards: ShardStore
    secrets: SecretStore
    billing: Billing
    reports: ReportStore

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        self.close()

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None:
        """Discard everything not committed; harmless after a commit."""

    def close(self) -> None:  # noqa: B027 - optional hook, most stores need nothing
        """Release resources held by the unit of work."""


class Repository(ABC):
    @abstractmethod
    def begin(self) -> UnitOfWork:
        """A new unit of work that may write (on SQLite it takes the write lock up front)."""

    def read(self) -> UnitOfWork:
        """A unit of work that only reads: it never takes a write lock, so it never waits for
        a writer (every door's read path uses it). Writing through it is an error."""
        return self.begin()

    def listen(self, wake: Callable[[], None]) -> Callable[[], None] | None:
        """Call `wake` whenever another process makes work (a submission, freed shards); the
        stop function, or None where the database cannot tell (then workers only poll)."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
