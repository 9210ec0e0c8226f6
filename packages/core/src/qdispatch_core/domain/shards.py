"""Shards: a local job's executables cut into contiguous slices, each run, stored and recovered
on its own (docs/workers.md, "Shards").

A shard record is created when a worker first runs the job and lives until the job is final.
It carries its own status and lease, so that several workers can later claim shards of one job
independently (compare-and-set per shard); today one worker runs every shard of its job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class ShardStatus(StrEnum):
    PENDING = "pending"  # not run yet, or handed back by a worker that stopped
    RUNNING = "running"  # claimed: a worker holds its lease
    DONE = "done"  # its outputs are stored


@dataclass(frozen=True, slots=True)
class Shard:
    """Executables `first` .. `first + count - 1` of a job's plan."""

    index: int
    first: int
    count: int

    @property
    def stop(self) -> int:
        return self.first + self.count


@dataclass(frozen=True, slots=True)
class ShardRecord:
    job_id: str
    shard: Shard
    status: ShardStatus = ShardStatus.PENDING
    outputs: list[Any] | None = None  # one per executable, once DONE
    notes: tuple[str, ...] = ()
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    attempts: int = 0  # claims so far: a shard claimed again after a crash counts up
    started_at: datetime | None = None  # when the simulation of this shard began
    finished_at: datetime | None = None  # and ended

    @property
    def index(self) -> int:
        return self.shard.index

    @property
    def seconds(self) -> float:
        """Simulation time spent on it, once DONE."""
        if self.started_at is None or self.finished_at is None:
            return 0.0
        return max(0.0, (self.finished_at - self.started_at).total_seconds())
