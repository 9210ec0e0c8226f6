"""Request and response schemas for every door (pydantic, at the edges only).

The MCP server uses them as tool inputs and structured outputs, the CLI prints their JSON, the
library returns them. Field descriptions are written for the agents that read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qdispatch_core.domain import Circuit, Device, Experiment, Job, JobStatus
from qdispatch_core.errors import BadRequest

NAME_MAX = 200
DESCRIPTION_MAX = 1024


class RunRequest(BaseModel):
    """The request of `run_circuits_on_qpu_or_simulator` (run contract §3)."""

    model_config = ConfigDict(extra="forbid")

    experiment_id: str = Field(description="An experiment id from create_new_experiment.")
    circuit_ids: list[str] = Field(
        default_factory=list, description="Ids of circuits stored earlier; they run first."
    )
    circuits_qasm: list[str] = Field(
        default_factory=list,
        description="OpenQASM 2.0 or 3.0 sources; stored into the experiment, then run after "
        "circuit_ids.",
    )
    device_id: str = Field(description="A device id from list_qpus_and_simulators.")
    run_type: Literal["Run", "StatevectorRun"] = Field(
        default="Run",
        description="Run samples shots; StatevectorRun simulates exactly (simulators only).",
    )
    shots: Annotated[int, Field(strict=True)] = Field(
        default=1024,
        description="Shots per executable, 1..device max_shots; ignored by StatevectorRun.",
    )
    parameters: Any = Field(
        default=None,
        description="Parameter sets bound in each circuit's parameter_names order: one circuit "
        "takes [v1, v2] or [[v1, v2], ...] or {name: value}; several circuits take one entry "
        "per circuit ([] for an unparameterised one).",
    )
    observables: Any = Field(
        default=None,
        description="Pauli observables [pauli_strings, coefficients], rightmost character on "
        "qubit 0; one circuit takes one observable or a list; several circuits take one entry "
        "per circuit. Results become expectation values.",
    )
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="Credentials for the device's provider and runtime options the device "
        "accepts (see the device's options); unknown keys are rejected.",
    )
    # Booleans and integers are strict at every door: `shots: true` is not 1 shot, and
    # `dry_run: 1` is not true.
    use_mitigation: Annotated[bool, Field(strict=True)] = Field(
        default=False,
        description="Apply error mitigation that fits "
        "the device; what was applied is recorded in the job.",
    )
    name: str = Field(default="", description=f"Job name, at most {NAME_MAX} characters.")
    description: str = Field(default="", description=f"At most {DESCRIPTION_MAX} characters.")
    dry_run: Annotated[bool, Field(strict=True)] = Field(
        default=False,
        description="Validate, store, transpile and estimate "
        "cost without executing: no charge, no credentials needed.",
    )


Model = TypeVar("Model", bound=BaseModel)


def _location(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "request"


def parse(model: type[Model], data: Mapping[str, Any] | Model) -> Model:
    """Validate `data` into `model`, turning pydantic's errors into one BadRequest that names
    every offending field."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = _location(tuple(err["loc"]))
            message = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append(f"{where}: {message}")
        first = _location(tuple(exc.errors()[0]["loc"]))
        raise BadRequest("; ".join(problems), field=first) from None


class CostView(BaseModel):
    native: dict[str, Any] | None = None
    converted: dict[str, Any] | None = None
    pricing_available: bool = True
    reason: str | None = None


def cost_view(cost: Any) -> CostView | None:
    return CostView(**cost.to_dict()) if cost is not None else None


class ProgressView(BaseModel):
    done: int
    total: int


class JobView(BaseModel):
    """A whole job (run contract §1) as every door shows it."""

    id: str
    owner_id: str
    experiment_id: str
    name: str
    description: str
    device_id: str
    provider: str
    run_type: str
    shots: int
    circuit_ids: list[str]
    parameters: Any
    observables: Any
    options: dict[str, Any]
    use_mitigation: bool
    dry_run: bool
    status: JobStatus
    provider_job_ids: list[str]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    estimated_cost: CostView | None
    cost: CostView | None
    results: Any
    uncertainties: Any
    raw_results: Any
    mitigation: dict[str, Any] | None
    plan: dict[str, Any] | None
    error: str | None
    logs: list[str]
    progress: ProgressView
    cancel_requested: bool

    @classmethod
    def of(cls, job: Job) -> JobView:
        return cls(
            id=job.id,
            owner_id=job.owner_id,
            experiment_id=job.experiment_id,
            name=job.name,
            description=job.description,
            device_id=job.device_id,
            provider=job.provider,
            run_type=job.run_type.value,
            shots=job.shots,
            circuit_ids=list(job.circuit_ids),
            parameters=job.parameters,
            observables=job.observables,
            options=dict(job.options),
            use_mitigation=job.use_mitigation,
            dry_run=job.dry_run,
            status=job.status,
            provider_job_ids=list(job.provider_job_ids),
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            estimated_cost=cost_view(job.estimated_cost),
            cost=cost_view(job.cost),
            results=job.results,
            uncertainties=job.uncertainties,
            raw_results=job.raw_results,
            mitigation=job.mitigation,
            plan=job.plan,
            error=job.error,
            logs=list(job.logs),
            progress=ProgressView(done=job.progress.done, total=job.progress.total),
            cancel_requested=job.cancel_requested,
        )


class JobResponse(BaseModel):
    """A job with a short text saying what it is and what to do next."""

    job: JobView
    context: str


class RunResponse(BaseModel):
    job_id: str
    status: JobStatus
    device_id: str
    estimated_cost: CostView | None
    context: str


class JobSummary(BaseModel):
    id: str
    name: str
    experiment_id: str
    device_id: str
    run_type: str
    dry_run: bool = Field(
        description="A dry run: validated and planned, never executed; its costs are estimates."
    )
    status: JobStatus
    created_at: datetime
    finished_at: datetime | None
    progress: ProgressView
    estimated_cost: CostView | None
    cost: CostView | None

    @classmethod
    def of(cls, job: Job) -> JobSummary:
        return cls(
            id=job.id,
            name=job.name,
            experiment_id=job.experiment_id,
            device_id=job.device_id,
            run_type=job.run_type.value,
            dry_run=job.dry_run,
            status=job.status,
            created_at=job.created_at,
            finished_at=job.finished_at,
            progress=ProgressView(done=job.progress.done, total=job.progress.total),
            estimated_cost=cost_view(job.estimated_cost),
            cost=cost_view(job.cost),
        )


class ExperimentView(BaseModel):
    id: str
    name: str
    description: str
    created_at: datetime

    @classmethod
    def of(cls, experiment: Experiment) -> ExperimentView:
        return cls(
            id=experiment.id,
            name=experiment.name,
            description=experiment.description,
            created_at=experiment.created_at,
        )


class CircuitView(BaseModel):
    id: str
    experiment_id: str
    name: str
    description: str
    qasm_version: int
    content_hash: str
    analytics: dict[str, Any]
    created_at: datetime
    qasm: str | None = None

    @classmethod
    def of(cls, circuit: Circuit, *, with_source: bool = False) -> CircuitView:
        return cls(
            id=circuit.id,
            experiment_id=circuit.experiment_id,
            name=circuit.name,
            description=circuit.description,
            qasm_version=circuit.qasm_version,
            content_hash=circuit.content_hash,
            analytics=circuit.analytics.to_dict(),
            created_at=circuit.created_at,
            qasm=circuit.qasm if with_source else None,
        )


class DeviceView(BaseModel):
    id: str
    provider: str
    name: str
    simulator: bool
    qubits: int
    status: Literal["online", "offline", "unknown"]
    run_types: list[str]
    basis_gates: list[str]
    coupling_map: list[list[int]] | None
    max_shots: int
    credential_options: list[str]
    needs_credentials: bool
    pricing: dict[str, str] | None
    options: list[dict[str, Any]]
    local: bool
    noisy: bool
    mitigation: str
    description: str

    @classmethod
    def of(cls, device: Device) -> DeviceView:
        return cls(**device.to_dict(), needs_credentials=device.needs_credentials)


class DeviceSummary(BaseModel):
    """A device in a listing: what choosing one needs (run contract's device list for agents),
    nothing more. A listing holds every provider's devices, so each extra field costs every
    caller; `DeviceView` has the rest (options, shot limit, gates, coupling map, mitigation)."""

    id: str
    provider: str
    name: str
    simulator: bool
    qubits: int
    status: Literal["online", "offline", "unknown"]
    run_types: list[str]
    credential_options: list[str] = Field(
        description="Option keys the device needs for credentials; empty: none needed."
    )
    price_basis: str | None = Field(description="How the cost is computed; null: free.")

    @classmethod
    def of(cls, device: Device) -> DeviceSummary:
        return cls(
            id=device.id,
            provider=device.provider,
            name=device.name,
            simulator=device.simulator,
            qubits=device.qubits,
            status=device.status.value,
            run_types=[r.value for r in device.run_types],
            credential_options=list(device.credential_options),
            price_basis=device.pricing.basis if device.pricing else None,
        )
