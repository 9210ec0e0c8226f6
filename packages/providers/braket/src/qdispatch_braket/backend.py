"""The Amazon Braket provider: the SDK's local simulators and the cloud's managed simulators
and QPUs behind the core's Backend protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qdispatch_braket import checks
from qdispatch_braket.batches import estimated_shapes, profile_for
from qdispatch_braket.catalog import load_catalog
from qdispatch_braket.cloud import CloudRunner
from qdispatch_braket.devices import build_devices
from qdispatch_braket.local import LocalRunner
from qdispatch_braket.programs import Compiler
from qdispatch_braket.sdk import require
from qdispatch_braket.session import SessionFactory, default_session_factory
from qdispatch_braket.settings import RunSettings
from qdispatch_core.domain import Cost, Device, Shard
from qdispatch_core.ports.backend import (
    Backend,
    DevicePlan,
    Execution,
    JobSpec,
    RemoteState,
    ShardResult,
)
from qdispatch_core.ports.backend_settings import BackendSettings

Credentials = Mapping[str, str]


class BraketBackend(Backend):
    """`braket_local_sv`, `braket_local_dm` (shard by shard, in the worker's simulation
    processes) and `aws_*` cloud devices.

    Nothing here imports the Braket SDK, boto3 or Qiskit until a job is validated, prepared
    or run, so listing devices stays fast. `session_factory(credentials, region)` builds the
    SDK's AwsSession (tests hand in one with a stubbed Braket client); `min_poll_seconds`
    spaces out real polls of cloud tasks.
    """

    provider = "braket"
    # Cloud polls are spaced by `min_poll_seconds` whatever the worker asks.
    polling = (0.05, 0.5)

    def __init__(
        self,
        *,
        settings: BackendSettings | None = None,
        session_factory: SessionFactory | None = None,
        min_poll_seconds: float = 2.0,
    ) -> None:
        # `settings` is accepted like every provider's; Braket's simulators are bounded by
        # their own qubit limits (the committed catalog), not by qdispatch's memory budget.
        self._catalog = load_catalog()
        self._devices = build_devices(self._catalog)
        self._compiler: Compiler | None = None
        self._local: LocalRunner | None = None
        self._cloud: CloudRunner | None = None
        self._session_factory = session_factory or default_session_factory
        self._min_poll_seconds = min_poll_seconds

    # -- lazily built parts (they import Qiskit) -------------------------------------------

    @property
    def compiler(self) -> Compiler:
        if self._compiler is None:
            self._compiler = Compiler()
        return self._compiler

    @property
    def local(self) -> LocalRunner:
        if self._local is None:
            self._local = LocalRunner(self.compiler, self._catalog)
        return self._local

    @property
    def cloud(self) -> CloudRunner:
        if self._cloud is None:
            self._cloud = CloudRunner(
                self.compiler, self._catalog, self._session_factory, self._min_poll_seconds
            )
        return self._cloud

    # -- devices and planning --------------------------------------------------------------

    def list_devices(self, credentials: Credentials | None = None) -> Sequence[Device]:
        return list(self._devices)

    def _route(self, device: Device) -> LocalRunner | CloudRunner:
        """The one place that tells a local simulator from a cloud device."""
        return self.local if device.local else self.cloud

    def missing_credentials(self, device: Device, credentials: Credentials) -> tuple[str, ...]:
        return self._route(device).missing_credentials(credentials)

    def validate(self, device: Device, spec: JobSpec) -> None:
        runner = self._route(device)
        caps = runner.capabilities(device)
        checks.check(device, spec, runner.decision(device, spec), caps.statevector)
        # What a dry run's translation refuses (control flow, untranslatable gates), a real
        # run refuses at submission too; the compiled circuits are cached for the run.
        self._compiled(spec, profile_for(caps, RunSettings.resolve(spec.options), pinned=False))

    def _compiled(self, spec: JobSpec, profile: Any) -> list[Any]:
        for_circuit = require("qdispatch_qiskit").for_circuit
        compiled = []
        for i, circuit in enumerate(spec.circuits):
            with for_circuit(i):
                compiled.append(self.compiler.compile(circuit.qasm, None, profile).circuit)
        return compiled

    def estimate_cost(
        self, device: Device, spec: JobSpec, *, credentials: Credentials | None = None
    ) -> Cost:
        return self._route(device).estimate_cost(device, spec)

    def prepare(self, device: Device, spec: JobSpec) -> DevicePlan:
        runner = self._route(device)
        caps = runner.capabilities(device)
        settings = RunSettings.resolve(spec.options)
        profile = profile_for(caps, settings, pinned=False)
        facts = []
        for i, compiled in enumerate(self._compiled(spec, profile)):
            facts.append(
                {
                    "index": i,
                    "transpiled_depth": compiled.depth(),
                    "transpiled_2q_gates": compiled.num_nonlocal_gates(),
                }
            )
        shapes = estimated_shapes(spec, caps, runner.decision(device, spec))
        program_sets = sum(1 for s in shapes if s.program_set)
        note = (
            f"translated into {device.id}'s gates (optimization_level "
            f"{settings.optimization_level}); {len(shapes)} quantum task(s)"
            + (f", {program_sets} of them program sets" if program_sets else "")
        )
        return DevicePlan(tuple(facts), (note, *runner.plan_notes))

    # -- shards (local simulators; a cloud device's runner refuses them) ----------------------

    def seconds_per_executable(self, device: Device, spec: JobSpec) -> float:
        """Rough: a local task costs milliseconds to set up; then shots, and a dense state
        (squared for the density matrix) through every gate."""
        widest = max(c.analytics.qubits for c in spec.circuits)
        gates = max(1, max(c.analytics.gates_total for c in spec.circuits))
        amplitudes = 2.0 ** min(widest, 30)
        if device.id == "braket_local_dm":
            amplitudes *= amplitudes
        shots = spec.shots if spec.plan.output_kind == "counts" else 0
        return 5e-3 + shots * 2e-6 + amplitudes * gates * 5e-9

    def run_shard(
        self, device: Device, spec: JobSpec, shard: Shard, credentials: Credentials
    ) -> ShardResult:
        return self._route(device).run_shard(device, spec, shard)

    def finish_local(
        self,
        device: Device,
        spec: JobSpec,
        outputs: Sequence[Any],
        notes: Sequence[str],
        credentials: Credentials,
    ) -> Execution:
        return self.local.finish(device, spec, list(outputs), tuple(notes))

    # -- the remote protocol (cloud devices; a local simulator's runner refuses it) ------------

    def submit(self, device: Device, spec: JobSpec, credentials: Credentials) -> tuple[str, ...]:
        return self._route(device).submit(device, spec, credentials)

    def poll(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> RemoteState:
        return self._route(device).poll(device, job_ids, credentials)

    def fetch(
        self, device: Device, spec: JobSpec, job_ids: Sequence[str], credentials: Credentials
    ) -> Execution:
        return self._route(device).fetch(device, spec, job_ids, credentials)

    def cancel(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> None:
        self._route(device).cancel(device, job_ids, credentials)
