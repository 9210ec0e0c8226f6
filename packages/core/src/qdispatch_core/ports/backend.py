"""The backend port: a provider's devices and the asynchronous protocol that runs jobs on them.

The worker drives every backend the same way: `submit` returns provider job ids (stored before
anything else happens), `wait`/`poll` report progress, `fetch` returns one output per planned
executable, `cancel` stops the work. Local simulators implement the same protocol with ids that
only mean something inside the current process; after a crash their jobs are run again.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from qdispatch_core.domain import CircuitAnalytics, Cost, Device, JobStatus, RunType
from qdispatch_core.errors import NotFound
from qdispatch_core.rules.plan import JobPlan
from qdispatch_core.rules.text import quote

Credentials = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class SpecCircuit:
    id: str
    name: str
    qasm: str
    qasm_version: int
    analytics: CircuitAnalytics


@dataclass(frozen=True, slots=True)
class JobSpec:
    """Everything a backend needs to run a job; rebuilt from storage after a restart."""

    job_id: str
    device_id: str
    run_type: RunType
    shots: int
    circuits: tuple[SpecCircuit, ...]
    plan: JobPlan
    options: Mapping[str, Any]  # validated runtime options; credentials travel separately
    use_mitigation: bool = False


@dataclass(frozen=True, slots=True)
class RemoteState:
    """A provider's report, already mapped through the provider's explicit status table."""

    status: JobStatus  # QUEUED, RUNNING, DONE, ERROR or CANCELLED
    done: int = 0  # executables finished, when the provider can tell
    message: str | None = None  # why, for ERROR


@dataclass(frozen=True, slots=True)
class Execution:
    outputs: Sequence[Any]  # one per executable, in plan order, of kind plan.output_kind
    cost: Cost | None = None  # the actual cost; None means the estimate stands
    mitigation: dict[str, Any] | None = None  # what was applied; None when nothing was asked
    raw_outputs: Sequence[Any] | None = None  # counts before mitigation, when it changed them
    notes: tuple[str, ...] = ()  # facts a user should see in the job's logs
    # Standard errors, shaped like `outputs`, when the provider estimated observables itself.
    uncertainties: Sequence[Sequence[float]] | None = None


@dataclass(frozen=True, slots=True)
class DevicePlan:
    """Classical preparation for a device: per circuit, what transpiling for it produced."""

    circuits: tuple[dict[str, Any], ...]
    notes: tuple[str, ...] = field(default=())


class Backend(ABC):
    """One provider. Implementations import their vendor SDK lazily, inside methods."""

    provider: ClassVar[str]
    # (first, longest) seconds between polls; the worker backs off from one to the other.
    # Remote providers rate-limit; local backends block in `wait` instead of sleeping.
    polling: ClassVar[tuple[float, float]] = (1.0, 30.0)

    @abstractmethod
    def list_devices(self, credentials: Credentials | None = None) -> Sequence[Device]:
        """The devices this provider offers. Must not need the network without credentials."""

    def get_device(self, device_id: str, credentials: Credentials | None = None) -> Device:
        for device in self.list_devices(credentials):
            if device.id == device_id:
                return device
        raise NotFound(
            f"device_id: no device {quote(device_id)} in provider {self.provider}",
            field="device_id",
        )

    def missing_credentials(self, device: Device, credentials: Credentials) -> tuple[str, ...]:
        """Credential keys the device still needs after options and the SDK's own sources."""
        return tuple(k for k in device.credential_options if k not in credentials)

    def estimates_observables(self, device: Device, use_mitigation: bool) -> bool:
        """True when this provider computes the expectation values of a sampled Run itself
        (e.g. IBM's Estimator, which applies its own error mitigation). The plan then has one
        executable per circuit × parameter set, `fetch` returns one list of expectation values
        per executable and their standard errors in `Execution.uncertainties`. Must depend only
        on its arguments: the worker re-plans a job the same way after a restart."""
        return False

    def validate(self, device: Device, spec: JobSpec) -> None:  # noqa: B027 - optional check
        """Provider-specific checks beyond the contract's; raise BadRequest."""

    @abstractmethod
    def estimate_cost(
        self, device: Device, spec: JobSpec, *, credentials: Credentials | None = None
    ) -> Cost:
        """The cost the job will have, from the executables and shots the plan will create.
        `credentials` are the job's (empty for a dry run without any), for a provider that can
        ask its service for the account's own prices; a provider without such prices ignores
        them. Never put a credential in the Cost, a log line or an error."""

    @abstractmethod
    def prepare(self, device: Device, spec: JobSpec) -> DevicePlan:
        """Every classical step short of execution (transpile for the device); for dry runs."""

    @abstractmethod
    def submit(self, device: Device, spec: JobSpec, credentials: Credentials) -> tuple[str, ...]:
        """Start the job; return the provider's job ids (at least one)."""

    @abstractmethod
    def poll(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> RemoteState:
        """The job's state now; ProviderError for an id the provider does not know."""

    def wait(
        self, device: Device, job_ids: Sequence[str], credentials: Credentials, timeout: float
    ) -> RemoteState:
        """Like poll, but may block up to `timeout` seconds for a change (local backends)."""
        return self.poll(device, job_ids, credentials)

    @abstractmethod
    def fetch(
        self, device: Device, spec: JobSpec, job_ids: Sequence[str], credentials: Credentials
    ) -> Execution:
        """Outputs of a finished job, one per executable of `spec.plan`."""

    @abstractmethod
    def cancel(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> None:
        """Stop the job; harmless when it already finished."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release clients, threads and files."""
