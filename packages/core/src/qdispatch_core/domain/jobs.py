"""The job: one run request, its lifecycle, and everything it produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from qdispatch_core.domain.costs import Cost
from qdispatch_core.domain.enums import JobStatus, RunType


@dataclass(frozen=True, slots=True)
class Progress:
    done: int = 0
    total: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"done": self.done, "total": self.total}


# Fields fixed at submission: a job's request. Saves never rewrite them (they can be large: a
# sweep's parameter sets), only the fields its lifecycle changes.
JOB_REQUEST_FIELDS = frozenset(
    {
        "owner_id",
        "experiment_id",
        "device_id",
        "provider",
        "run_type",
        "shots",
        "circuit_ids",
        "parameters",
        "observables",
        "options",
        "use_mitigation",
        "dry_run",
        "created_at",
        "name",
        "description",
        "estimated_cost",
    }
)
# What recomputing a Done job's results rewrites (issue 23); everything else stays.
RESULT_FIELDS = (
    "results",
    "uncertainties",
    "raw_results",
    "mitigation",
    "logs",
    "result_history",
)


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    owner_id: str
    experiment_id: str
    device_id: str
    provider: str
    run_type: RunType
    shots: int
    circuit_ids: tuple[str, ...]
    # Canonical forms (rules.parameters / rules.observables); None when the request gave none,
    # which is also what decides whether the result layer exists (run contract §5).
    parameters: list[list[list[float]]] | None
    observables: list[list[list[Any]]] | None
    options: dict[str, Any]  # runtime options only: credentials never live here
    use_mitigation: bool
    dry_run: bool
    created_at: datetime
    name: str = ""
    description: str = ""
    status: JobStatus = JobStatus.SUBMITTED
    provider_job_ids: tuple[str, ...] = ()
    started_at: datetime | None = None
    finished_at: datetime | None = None
    estimated_cost: Cost | None = None
    cost: Cost | None = None
    results: Any = None
    uncertainties: Any = None
    raw_results: Any = None  # raw counts, kept when mitigation turned the leaves into quasi-probs
    mitigation: dict[str, Any] | None = None
    plan: dict[str, Any] | None = None
    error: str | None = None
    logs: tuple[str, ...] = ()
    progress: Progress = field(default_factory=Progress)
    # Worker bookkeeping: who holds the job and until when (run contract §2 via the worker).
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    cancel_requested: bool = False
    attempts: int = 0
    # What the provider returned per executable (issue 23), so results can be derived again
    # without running anything: {"outputs", "raw_outputs", "uncertainties"} (None: not kept).
    outputs: dict[str, Any] | None = None
    # Earlier versions of the results, oldest first, each {"version", "replaced_at",
    # "results", "uncertainties", "raw_results", "mitigation"}; the current one is
    # version len(result_history) + 1.
    result_history: tuple[dict[str, Any], ...] = ()

    @property
    def is_final(self) -> bool:
        return self.status.is_final
