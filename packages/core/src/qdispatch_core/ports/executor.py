"""The executor port: where a local simulator's work runs, away from the worker's interpreter.

The worker (claims, leases, polling, database writes) never simulates. It hands each shard of a
local job, and the job's finishing step when that simulates, to a `LocalExecutor`: the app's
pool of warm child processes (`qdispatch.simulations`), or `ThreadExecutor`
(`qdispatch_core.usecases.local_work`) for tests that wire backend instances by hand.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qdispatch_core.domain import Shard
from qdispatch_core.ports.backend import JobSpec

if TYPE_CHECKING:
    from qdispatch_core.registry import BackendRegistry


@dataclass(frozen=True, slots=True)
class LocalWork:
    """One piece of a local job: a shard to run, or (shard None) the outputs of every shard to
    finish into the job's Execution. Picklable: it crosses into a child process."""

    provider: str
    device_id: str
    spec: JobSpec
    credentials: Mapping[str, str]
    shard: Shard | None = None
    outputs: Sequence[Any] | None = None  # finishing: every executable's output
    notes: tuple[str, ...] = ()  # finishing: the shards' notes

    @property
    def what(self) -> str:
        if self.shard is None:
            return f"job {self.spec.job_id}: finishing"
        return f"job {self.spec.job_id}: shard {self.shard.index}"


@dataclass(frozen=True, slots=True)
class LocalBatch:
    """Several small jobs' shards sent to one process in one round trip (issue 15): its result
    is one `Outcome` per piece of work, in order, so one failing job fails alone."""

    works: tuple[LocalWork, ...]

    @property
    def what(self) -> str:
        return f"a batch of {len(self.works)} small jobs"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one piece of a batch gave: its result, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None

    def get(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class LocalRun(ABC):
    """A piece of work under way."""

    @abstractmethod
    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` seconds; True once the work has ended (either way)."""

    @abstractmethod
    def result(self) -> Any:
        """A shard's ShardResult, the finishing step's Execution, or a batch's list of
        `Outcome`s; raises what the work raised
        (ProviderError, QDispatchError), or ProviderError when its process died."""

    @abstractmethod
    def cancel(self) -> None:
        """Stop the work now: its process is terminated (and replaced in the pool). Returns
        once it is gone; harmless when the work already ended."""


class LocalExecutor(ABC):
    @abstractmethod
    def start(self, work: LocalWork | LocalBatch, backends: BackendRegistry) -> LocalRun:
        """Start `work`. `backends` is the worker's registry: an in-process executor uses its
        instances; a process pool builds its own in each child, by provider name."""

    def has_room(self) -> bool:
        """Whether work started now would run at once (an idle worker thread helps with other
        workers' shards only then, rather than queue behind its own process's work)."""
        return True

    def close(self) -> None:  # noqa: B027 - optional hook
        """Stop every process; work under way is cancelled."""
