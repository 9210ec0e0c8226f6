"""The IBM provider: the runtime's fake backends (local, noisy, free) and IBM Quantum cloud
QPUs, behind the core's Backend protocol.

Nothing here imports qiskit-ibm-runtime, Qiskit or NumPy until a job is validated, estimated,
prepared or run, or until credentials ask for the account's device list.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from qdispatch_core.domain import Cost, Device, Shard
from qdispatch_core.errors import NotFound, ProviderError
from qdispatch_core.listing import AccountListings
from qdispatch_core.ports.backend import (
    Backend,
    DevicePlan,
    Execution,
    JobSpec,
    RemoteState,
    ShardResult,
)
from qdispatch_core.ports.backend_settings import BackendSettings
from qdispatch_ibm import batches, pricing
from qdispatch_ibm.calibration import CalibrationStore
from qdispatch_ibm.catalog import load_catalog
from qdispatch_ibm.cloud import CloudBackends, CloudJobs, CloudRunner, resilience_level
from qdispatch_ibm.devices import fake_devices, static_cloud_devices
from qdispatch_ibm.local import Fakes, LocalRunner
from qdispatch_ibm.mitigation import Readout
from qdispatch_ibm.programs import Compiler
from qdispatch_ibm.session import Account, Services, account_for, missing_keys
from qdispatch_ibm.settings import RunSettings

log = logging.getLogger(__name__)

Credentials = Mapping[str, str]


class IBMBackend(Backend):
    """`fake_<name>` snapshots and `ibm_<name>` cloud QPUs.

    `settings` (from the composition root) gives the cache directory, whose `ibm/readout`
    holds the readout calibrations (else the user cache directory's), and the memory budget that
    bounds the density matrices of exact noisy runs; `calibration_dir` and `memory_limit_bytes`
    override them (tests).
    """

    provider = "ibm"
    # Cloud jobs queue for seconds to hours. (Fake backends run in shards, not polled.)
    polling = (1.0, 20.0)

    def __init__(
        self,
        *,
        settings: BackendSettings | None = None,
        calibration_dir: str | Path | None = None,
        memory_limit_bytes: int | None = None,
    ) -> None:
        settings = settings or BackendSettings()
        self.memory_limit_bytes = memory_limit_bytes or settings.simulation_memory_bytes
        if calibration_dir is None and settings.cache_dir is not None:
            calibration_dir = settings.cache_dir / "ibm" / "readout"
        self._fake_devices = fake_devices()
        self._static_cloud = static_cloud_devices()
        self._services = Services()
        self._cloud = CloudBackends(self._services)
        self._listings: AccountListings[tuple[Device, ...]] = AccountListings()
        self._cloud_jobs = CloudJobs(self._services)
        self._fakes = Fakes()
        self._compiler: Compiler | None = None
        self._local: LocalRunner | None = None
        self._cloud_runner: CloudRunner | None = None
        self.calibrations = CalibrationStore(Path(calibration_dir) if calibration_dir else None)
        self._readout = Readout(self.calibrations, load_catalog()["qiskit_ibm_runtime"])

    # -- lazily built parts (they import Qiskit) -------------------------------------------

    @property
    def compiler(self) -> Compiler:
        if self._compiler is None:
            self._compiler = Compiler()
        return self._compiler

    @property
    def local(self) -> LocalRunner:
        if self._local is None:
            self._local = LocalRunner(
                self.compiler, self._fakes, self._readout, self.memory_limit_bytes
            )
        return self._local

    @property
    def cloud(self) -> CloudRunner:
        if self._cloud_runner is None:
            self._cloud_runner = CloudRunner(
                self.compiler, self._cloud, self._cloud_jobs, self._fakes, self._readout
            )
        return self._cloud_runner

    # -- devices --------------------------------------------------------------------------

    def list_devices(self, credentials: Credentials | None = None) -> Sequence[Device]:
        return [*self._fake_devices, *self._cloud_devices(credentials)]

    def _cloud_devices(self, credentials: Credentials | None) -> Sequence[Device]:
        """The account's processors, asked once with a bounded wait (`AccountListings`: a run
        with credentials resolves its device here, on the request path); else the dated list."""
        account = account_for(credentials)
        if account is None:
            return self._static_cloud
        try:
            listed = self._listings.get(account.fingerprint, lambda: self._listing(account))
        except ProviderError as exc:
            log.warning("%s; showing IBM's processors from the dated list instead", exc)
            return self._static_cloud
        if listed is None:
            log.warning(
                "IBM Quantum did not list the account's backends within %g s (or failed to "
                "lately); showing IBM's processors from the dated list instead",
                self._listings.wait,
            )
            return self._static_cloud
        return listed

    def _listing(self, account: Account) -> tuple[Device, ...]:
        return tuple(self._cloud.listing(account)[0])

    def get_device(self, device_id: str, credentials: Credentials | None = None) -> Device:
        if device_id.startswith("fake_"):  # never ask the account about a local twin
            for device in self._fake_devices:
                if device.id == device_id:
                    return device
            raise NotFound(f"device_id: no fake backend {device_id!r}", field="device_id")
        return super().get_device(device_id, credentials)

    def missing_credentials(self, device: Device, credentials: Credentials) -> tuple[str, ...]:
        if not device.credential_options:
            return ()
        return missing_keys(credentials)

    # -- planning ---------------------------------------------------------------------------

    def _route(self, device: Device) -> LocalRunner | CloudRunner:
        """The one place that tells a fake backend from a cloud QPU."""
        return self.local if device.local else self.cloud

    def estimates_observables(self, device: Device, use_mitigation: bool) -> bool:
        """Cloud QPUs compute a sampled Run's observables with IBM's Estimator (its own
        grouping, and under use_mitigation its resilience levels: TREX at 1). Fake backends
        measure qdispatch's groups with the Sampler and correct readout with mthree: the
        runtime's local Estimator ignores resilience levels, and the client-side one that
        applies them simulates every qubit of the device (docs/providers.md)."""
        return self._route(device).estimates_observables

    def validate(self, device: Device, spec: JobSpec) -> None:
        self._route(device).validate(device, spec)

    def estimate_cost(
        self, device: Device, spec: JobSpec, *, credentials: Credentials | None = None
    ) -> Cost:
        return self._route(device).estimate_cost(device, spec)

    def prepare(self, device: Device, spec: JobSpec) -> DevicePlan:
        found = self._route(device).target(device)
        if found is None:
            raise ProviderError(
                f"cannot transpile for {device.id} without its calibration data; pass "
                "ibm_quantum_token and ibm_quantum_instance"
            )
        target, _, source = found
        program_for = self.compiler.for_spec(target, spec)
        facts = tuple(
            pricing.circuit_facts(i, program_for(i, batches.variant(spec, i)), target)
            for i in range(len(spec.circuits))
        )
        settings = RunSettings.resolve(spec.options)
        note = (
            f"transpiled for {source} at optimization_level {settings.optimization_level} "
            f"(seed_transpiler {settings.seed_transpiler})"
        )
        if not spec.plan.estimated_by_provider:
            return DevicePlan(facts, (note,))
        return DevicePlan(facts, (note, self._estimator_note(spec)))

    @staticmethod
    def _estimator_note(spec: JobSpec) -> str:
        level = resilience_level(spec)
        return (
            f"observables estimated by IBM's Estimator at resilience_level {level}, one PUB per "
            "circuit; it chooses its measurement circuits itself, so the cost estimate assumes "
            f"the {pricing.estimated_circuits(spec)} circuits (qubit-wise-commuting groups × "
            "parameter sets) qdispatch would measure"
            + (", plus the extra circuits of its mitigation" if level else "")
        )

    # -- the remote protocol (cloud QPUs; a fake backend's runner refuses it) -----------------

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

    # -- shards (fake backends; a cloud QPU's runner refuses them) ----------------------------

    def seconds_per_executable(self, device: Device, spec: JobSpec) -> float:
        """Rough: noisy sampling simulates every shot through every gate; exact noisy values
        hold a density matrix (16·4^n bytes) through every gate."""
        widest = max(c.analytics.qubits for c in spec.circuits)
        gates = max(1, max(c.analytics.gates_total for c in spec.circuits))
        if spec.plan.output_kind == "counts":
            return 2e-3 + spec.shots * (gates + widest) * 2e-7
        return 2e-3 + 4.0 ** min(widest, 20) * gates * 3e-9

    def run_shard(
        self, device: Device, spec: JobSpec, shard: Shard, credentials: Credentials
    ) -> ShardResult:
        return self._route(device).run_shard(device, spec, shard)

    def finish_in_child(self, device: Device, spec: JobSpec) -> bool:
        # Readout mitigation of counts may calibrate: that simulates.
        return spec.use_mitigation and spec.plan.output_kind == "counts"

    def finish_local(
        self,
        device: Device,
        spec: JobSpec,
        outputs: Sequence[Any],
        notes: Sequence[str],
        credentials: Credentials,
    ) -> Execution:
        return self.local.finish(device, spec, list(outputs), tuple(notes))
