"""The report port: read-only views across entities (experiments with their counts, job listings
with what they were charged, spending from the ledger, open reservations).

A store of its own rather than methods on the entity stores: each query joins several tables
(jobs with the ledger, experiments with circuits and jobs), and none of them ever writes. Every
query is scoped to one owner, like every read by id.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from qdispatch_core.domain import Cost, Experiment, JobStatus, Progress, RunType


@dataclass(frozen=True, slots=True)
class ExperimentSummary:
    experiment: Experiment
    circuits: int
    jobs: int
    active_jobs: int  # not final yet
    last_activity: datetime  # newest of: created, a circuit stored, a job submitted or finished
    spent_usd: Decimal  # charged by the ledger for the experiment's jobs


class JobSort(StrEnum):
    CREATED = "created"
    FINISHED = "finished"
    STATUS = "status"
    DEVICE = "device"
    NAME = "name"
    COST = "cost"  # what the ledger charged the job


# Sorting by status follows a job's life, not the alphabet.
STATUS_ORDER: tuple[JobStatus, ...] = tuple(JobStatus)


@dataclass(frozen=True, slots=True)
class JobQuery:
    """Which of an owner's jobs to list, in which order. Empty filters match everything."""

    experiment_id: str | None = None
    statuses: tuple[JobStatus, ...] = ()
    device_id: str | None = None
    dry_run: bool | None = None
    circuit_id: str | None = None  # jobs that ran this circuit
    created_from: datetime | None = None  # inclusive
    created_before: datetime | None = None  # exclusive
    sort: JobSort = JobSort.CREATED
    descending: bool = True
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class JobListing:
    """A job in a listing: everything but its request's payload and its results, which can be
    megabytes and which no listing shows."""

    id: str
    name: str
    experiment_id: str
    device_id: str
    provider: str
    run_type: RunType
    status: JobStatus
    dry_run: bool
    use_mitigation: bool
    created_at: datetime
    finished_at: datetime | None
    progress: Progress
    estimated_cost: Cost | None
    cost: Cost | None
    cancel_requested: bool
    charged_usd: Decimal

    @property
    def is_final(self) -> bool:
        return self.status.is_final


@dataclass(frozen=True, slots=True)
class SpendRow:
    """What the ledger charged one owner on one UTC day, for one device and experiment.

    `device_id` and `experiment_id` are None when the job a charge names no longer exists (the
    ledger outlives what it mentions)."""

    day: date
    device_id: str | None
    experiment_id: str | None
    usd: Decimal
    jobs: int


@dataclass(frozen=True, slots=True)
class Reservation:
    """Funds still held for a job: reserved at submission, not yet charged or released."""

    job_id: str
    held_usd: Decimal
    since: datetime
    job_name: str | None
    device_id: str | None
    status: JobStatus | None


class ReportStore(ABC):
    @abstractmethod
    def experiment_summaries(self, owner_id: str) -> list[ExperimentSummary]:
        """Every experiment of the owner with its counts, newest first (as experiments.list)."""

    @abstractmethod
    def search_jobs(self, owner_id: str, query: JobQuery) -> list[JobListing]:
        """The owner's jobs matching `query`, sorted by `query.sort` (ties: newest first, then
        by id), `query.limit` of them from `query.offset`."""

    @abstractmethod
    def spending(self, owner_id: str, since: datetime, until: datetime) -> list[SpendRow]:
        """Charges with `since <= time < until`, summed per UTC day, device and experiment."""

    @abstractmethod
    def open_reservations(self, owner_id: str) -> list[Reservation]:
        """Jobs that still hold reserved funds, oldest reservation first."""
