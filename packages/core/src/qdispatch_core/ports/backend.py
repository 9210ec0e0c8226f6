"""The backend port: a provider's devices, and the two ways the worker runs jobs on them.

- Remote devices (`device.local` false): an asynchronous protocol. `submit` returns provider
  job ids (stored before anything else happens), `wait`/`poll` report progress, `fetch` returns
  one output per planned executable, `cancel` stops the work. A restarted worker re-attaches to
  the stored ids.
- Local simulators (`device.local` true): the worker cuts the plan into shards and runs each
  with `run_shard` in a child process (docs/workers.md), storing every shard's outputs as it
  ends; `finish_local` turns the outputs of every shard into the job's Execution. Both are pure
  functions of picklable arguments, so any process can run any shard, and a resumed job
  re-runs only the shards whose outputs are not stored.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from qdispatch_core.errors import NotFound, ProviderError
from qdispatch_core.rules.text import quote

if TYPE_CHECKING:  # annotations only: a provider's price table imports `JobSpec` while
    # `qdispatch devices` starts, which needs neither the planning rules (they import the
    # Pauli and expectation rules) nor the job models (issue 17)
    from qdispatch_core.domain import CircuitAnalytics, Cost, Device, JobStatus, RunType, Shard
    from qdispatch_core.rules.plan import JobPlan

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
    # Per executable, the readout rates its counts were corrected with: per classical bit
    # (bit 0 first), (P(1|0), P(0|1)) of the qubit read into it, None for a bit nothing is
    # read into; None for an executable left uncorrected. With `raw_outputs`, the core derives
    # the corrected expectation values' standard errors from them (rules.readout_errors).
    readout: Sequence[Sequence[tuple[float, float] | None] | None] | None = None
    # What ran (issue 23): programs as sent, layouts, seeds, SDK versions; stored in the job's
    # plan under "ran" (see docs/run-contract.md).
    ran: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ShardResult:
    """What one shard of a local job produced."""

    outputs: Sequence[Any]  # one per executable of the shard, in plan order
    notes: tuple[str, ...] = ()  # facts for the job's logs (deduplicated across shards)
    # When the simulation of the shard began and ended (set by whoever ran it).
    started_at: datetime | None = None
    finished_at: datetime | None = None


NOT_NEEDED = {"applied": False, "reason": "not needed: noiseless simulator"}


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

    # -- remote devices: the asynchronous protocol ----------------------------------------

    def submit(self, device: Device, spec: JobSpec, credentials: Credentials) -> tuple[str, ...]:
        """Start the job; return the provider's job ids (at least one)."""
        raise runs_in_shards(device)

    def poll(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> RemoteState:
        """The job's state now; ProviderError for an id the provider does not know."""
        raise runs_in_shards(device)

    def wait(
        self, device: Device, job_ids: Sequence[str], credentials: Credentials, timeout: float
    ) -> RemoteState:
        """Like poll, but may block up to `timeout` seconds for a change (local backends)."""
        return self.poll(device, job_ids, credentials)

    def fetch(
        self, device: Device, spec: JobSpec, job_ids: Sequence[str], credentials: Credentials
    ) -> Execution:
        """Outputs of a finished job, one per executable of `spec.plan`."""
        raise runs_in_shards(device)

    def cancel(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> None:
        """Stop the job; harmless when it already finished."""
        raise runs_in_shards(device)

    # -- local devices: shards run in child processes --------------------------------------

    def seconds_per_executable(self, device: Device, spec: JobSpec) -> float:
        """A rough figure for one executable's simulation time here, to size shards (a few
        seconds each). Must depend only on its arguments: shard boundaries are stored when a
        job first runs, and a shard's seeds derive from its executables' indices."""
        return 0.001

    def run_shard(
        self, device: Device, spec: JobSpec, shard: Shard, credentials: Credentials
    ) -> ShardResult:
        """Run executables `shard.first` .. `shard.stop - 1` of a local device's job; one output
        per executable, of kind `spec.plan.output_kind` (before any mitigation).

        Runs in a child process (docs/workers.md): a pure function of its arguments that may be
        called in any process, in any order, and again for a shard whose first run was lost.
        Seeds derive from the job's `seed_simulator` and the executables' indices, never from
        the order of calls, so a resumed job equals an uninterrupted one."""
        raise runs_at_provider(device)

    def finish_in_child(self, device: Device, spec: JobSpec) -> bool:
        """True when `finish_local` simulates (a readout calibration, say) and so must run in
        a child process like the shards; False when it is bookkeeping the worker can do."""
        return spec.use_mitigation

    def finish_local(
        self,
        device: Device,
        spec: JobSpec,
        outputs: Sequence[Any],
        notes: Sequence[str],
        credentials: Credentials,
    ) -> Execution:
        """The job's Execution from every shard's outputs (plan order) and notes: mitigation,
        cost, the notes for its logs. The default suits noiseless simulators."""
        return Execution(
            outputs=list(outputs),
            cost=self.estimate_cost(device, spec),
            mitigation=dict(NOT_NEEDED) if spec.use_mitigation else None,
            notes=tuple(notes),
        )

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release clients, threads and files."""


def runs_in_shards(device: Device) -> ProviderError:
    """What the remote protocol's calls raise for a local device. Public so that a provider
    with local and cloud devices raises the same error from its local runner."""
    return ProviderError(f"{device.id} is a local simulator: the worker runs its jobs in shards")


def runs_at_provider(device: Device) -> ProviderError:
    """What `run_shard` raises for a remote device (and a provider's cloud runner)."""
    return ProviderError(f"{device.id} is not a local simulator; it runs at the provider")
