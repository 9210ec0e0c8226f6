"""The IBM provider: the runtime's fake backends (local, noisy, free) and IBM Quantum cloud
QPUs, behind the core's Backend protocol.

Nothing here imports qiskit-ibm-runtime, Qiskit or NumPy until a job is validated, estimated,
prepared or run, or until credentials ask for the account's device list.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
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
from qdispatch_ibm import batches, local, mitigation, pricing, provenance
from qdispatch_ibm.batches import ESTIMATOR, SAMPLER
from qdispatch_ibm.calibration import CalibrationStore
from qdispatch_ibm.catalog import fake_facts, load_catalog, twin_of
from qdispatch_ibm.checks import check_noisy_exact, check_noisy_sampling, check_resilience_level
from qdispatch_ibm.cloud import CloudBackends, CloudJobs
from qdispatch_ibm.devices import fake_devices, static_cloud_devices
from qdispatch_ibm.local import Fakes
from qdispatch_ibm.mitigation import Readout, corrected_execution
from qdispatch_ibm.pricing import local_cost, qpu_cost, quantum_seconds
from qdispatch_ibm.programs import UNMEASURED, Compiler
from qdispatch_ibm.sdk import require
from qdispatch_ibm.session import Account, Services, account_for, missing_keys
from qdispatch_ibm.settings import RunSettings
from qdispatch_qiskit.failures import simulation_failures

log = logging.getLogger(__name__)

Credentials = Mapping[str, str]
NOTHING_TO_CORRECT = {
    "applied": False,
    "reason": "exact expectation values of the noisy state: nothing is measured, so there is "
    "no readout error to correct",
}


def resilience_level(spec: JobSpec) -> int:
    """The level an Estimator job of `spec` runs at (0 unless use_mitigation)."""
    return RunSettings.resolve(spec.options).estimator_level(spec.use_mitigation)


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
        self.calibrations = CalibrationStore(Path(calibration_dir) if calibration_dir else None)
        self._readout = Readout(self.calibrations, load_catalog()["qiskit_ibm_runtime"])

    @property
    def compiler(self) -> Compiler:
        if self._compiler is None:
            self._compiler = Compiler()
        return self._compiler

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

    def estimates_observables(self, device: Device, use_mitigation: bool) -> bool:
        """Cloud QPUs compute a sampled Run's observables with IBM's Estimator (its own
        grouping, and under use_mitigation its resilience levels: TREX at 1). Fake backends
        measure qdispatch's groups with the Sampler and correct readout with mthree: the
        runtime's local Estimator ignores resilience levels, and the client-side one that
        applies them simulates every qubit of the device (docs/providers.md)."""
        return not device.local

    def _target(self, device: Device) -> tuple[Any, float | None, str] | None:
        """(transpiler target, repetition delay, where it came from) for planning."""
        if device.local:
            backend = self._fakes.get(device.id)
            return backend.target, None, device.id
        live = self._cloud.known.get(device.id)
        if live is not None:
            return live.target, pricing.rep_delay(live), f"{device.id} (live calibration)"
        twin = twin_of(device.id)
        if fake_facts(twin) is None:
            return None
        backend = self._fakes.get(twin)
        return backend.target, pricing.rep_delay(backend), f"the snapshot {twin}"

    def _programs(self, target: Any, spec: JobSpec) -> Any:
        settings = RunSettings.resolve(spec.options)
        for_circuit = require("qdispatch_qiskit").for_circuit

        def program_for(c: int, variant: str) -> Any:
            with for_circuit(c):
                return self.compiler.program(target, spec.circuits[c].qasm, variant, settings)

        return program_for

    def validate(self, device: Device, spec: JobSpec) -> None:
        if not device.local:
            check_resilience_level(spec)
            self._check_translation(device, spec)
            return
        target = self._fakes.get(device.id).target
        program_for = self._programs(target, spec)
        limit = self.memory_limit_bytes
        check_noisy_sampling(
            device, spec, lambda c: program_for(c, batches.variant(spec, c)), limit
        )
        check_noisy_exact(device, spec, lambda c: program_for(c, batches.UNMEASURED), limit)

    def _check_translation(self, device: Device, spec: JobSpec) -> None:
        """The transpilation a dry run does (on the live target or the snapshot twin), so a
        circuit the device cannot run is refused at submission as a dry run refuses it."""
        found = self._target(device)
        if found is None:
            return  # no calibration data yet: the worker transpiles on the live target
        program_for = self._programs(found[0], spec)
        for i in range(len(spec.circuits)):
            program_for(i, batches.variant(spec, i))

    def estimate_cost(
        self, device: Device, spec: JobSpec, *, credentials: Credentials | None = None
    ) -> Cost:
        if device.local:
            return local_cost(spec.plan.total_shots)
        found = self._target(device)
        if found is None:
            return Cost.unavailable(
                f"no calibration data for {device.id} without credentials: IBM bills QPU "
                "seconds, which depend on the device's gate durations"
            )
        target, delay, _ = found
        program_for = self._programs(target, spec)
        try:
            if spec.plan.estimated_by_provider:
                level = resilience_level(spec)
                timings = pricing.estimator_timings(spec, program_for, target, level)
            else:
                timings = pricing.pub_timings(spec, program_for, target)
        except Exception as exc:  # a target without durations: no honest figure
            return Cost.unavailable(f"cannot schedule the circuits on {device.id}: {exc}")
        return qpu_cost(quantum_seconds(timings, delay))

    def prepare(self, device: Device, spec: JobSpec) -> DevicePlan:
        found = self._target(device)
        if found is None:
            raise ProviderError(
                f"cannot transpile for {device.id} without its calibration data; pass "
                "ibm_quantum_token and ibm_quantum_instance"
            )
        target, _, source = found
        program_for = self._programs(target, spec)
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

    # -- execution ------------------------------------------------------------------------

    def submit(self, device: Device, spec: JobSpec, credentials: Credentials) -> tuple[str, ...]:
        if device.local:
            return super().submit(device, spec, credentials)
        account = self._account(credentials)
        backend = self._cloud.backend(account, device.id)
        program_for = self._programs(backend.target, spec)
        if spec.plan.estimated_by_provider:
            level = resilience_level(spec)
            built = batches.estimator_pubs(spec, lambda c: program_for(c, UNMEASURED))
            options = batches.estimator_options(spec.shots, level)
            return (self._cloud_jobs.submit(account, backend, ESTIMATOR, built, options),)
        built = batches.build_pubs(spec, program_for, backend.target)
        if spec.use_mitigation:
            built += self._readout.calibration_pubs(device, spec, built, backend.num_qubits)
        options = {"default_shots": spec.shots}
        return (self._cloud_jobs.submit(account, backend, SAMPLER, built, options),)

    # -- fake backends: shards ---------------------------------------------------------------

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
        if not device.local:
            return super().run_shard(device, spec, shard, credentials)
        kind = spec.plan.output_kind
        if kind == "statevector":
            raise ProviderError(f"{device.id} cannot return state vectors (it is noisy)")
        if kind == "expectations" and spec.plan.estimated_by_provider:
            raise ProviderError(  # the core asked estimates_observables, which is False here
                f"{device.id} measures observables in groups itself, but the job was planned "
                "for a provider that estimates them"
            )
        with simulation_failures("the local simulation failed"):
            if kind == "counts":
                return self._sample_shard(device, spec, shard)
            return self._exact_shard(device, spec, shard)

    def _sample_shard(self, device: Device, spec: JobSpec, shard: Shard) -> ShardResult:
        settings = RunSettings.resolve(spec.options)
        backend = self._fakes.get(device.id)
        program_for = self._programs(backend.target, spec)
        built = batches.build_pubs(spec, program_for, backend.target)
        plans = batches.plan_pubs(spec, [p[0] for p in built])
        pieces, placed = local.shard_pubs(built, plans, shard)
        seed = local.shard_seed(settings.seed_simulator, shard)
        result = local.sample(backend, pieces, spec.shots, seed).result()
        note = pricing.layout_note(device.id, spec, program_for)
        return ShardResult(batches.decode_counts(result, placed), (note,))

    def _exact_shard(self, device: Device, spec: JobSpec, shard: Shard) -> ShardResult:
        backend = self._fakes.get(device.id)
        program_for = self._programs(backend.target, spec)
        noise = self._fakes.noise_model(device.id)
        built = batches.estimator_pubs(spec, lambda c: program_for(c, UNMEASURED))
        pieces, placed = local.shard_pubs(built, batches.exact_plans(spec), shard)
        result = local.estimate_exactly(noise, pieces).result()
        note = f"exact expectation values of the noisy state ({device.id} noise model)"
        return ShardResult(batches.decode_pieces(result, spec, placed), (note,))

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
        cost = local_cost(spec.plan.total_shots)
        outputs, notes = list(outputs), tuple(notes)
        simulator = self._fakes.get(device.id)
        program_for = self._programs(simulator.target, spec)
        if spec.plan.output_kind == "expectations":
            record = dict(NOTHING_TO_CORRECT) if spec.use_mitigation else None
            ran = self._exact_ran(device, spec, program_for)
            return Execution(outputs, cost=cost, mitigation=record, notes=notes, ran=ran)
        circuits = batches.pub_circuits(batches.build_pubs(spec, program_for, simulator.target))
        plans = batches.plan_pubs(spec, circuits)
        ran = provenance.what_ran(spec, device.id, circuits, plans, local=True)
        if not spec.use_mitigation:
            return Execution(outputs, cost=cost, notes=notes, ran=ran)
        qubits = mitigation.measured_qubits(plans)
        with simulation_failures("the readout calibration failed"):
            execution = corrected_execution(
                outputs,
                plans,
                lambda: self._readout.for_fake(device, simulator, qubits),
                device,
                cost,
                notes,
            )
        return replace(execution, ran=ran)

    @staticmethod
    def _exact_ran(device: Device, spec: JobSpec, program_for: Any) -> dict[str, Any]:
        """What ran for exact values on a fake twin: the per-circuit estimator PUBs the
        shards simulated (`_exact_shard`), rebuilt from the cached programs."""
        built = batches.estimator_pubs(spec, lambda c: program_for(c, UNMEASURED))
        plans = batches.exact_plans(spec)
        circuits = batches.pub_circuits(built)
        return provenance.what_ran(
            spec, device.id, circuits, plans, local=True, run=provenance.EXACT
        )

    def _account(self, credentials: Credentials) -> Account:
        account = account_for(credentials)
        if account is None:
            raise ProviderError(
                "IBM Quantum needs ibm_quantum_token and ibm_quantum_instance (or an account "
                "saved for qiskit-ibm-runtime)"
            )
        return account

    def poll(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> RemoteState:
        if device.local:
            return super().poll(device, job_ids, credentials)
        return self._cloud_jobs.state(self._account(credentials), job_ids[0])

    def fetch(
        self, device: Device, spec: JobSpec, job_ids: Sequence[str], credentials: Credentials
    ) -> Execution:
        if device.local:
            return super().fetch(device, spec, job_ids, credentials)
        return self._fetch_cloud(device, spec, job_ids[0], self._account(credentials))

    def _fetch_cloud(
        self, device: Device, spec: JobSpec, job_id: str, account: Account
    ) -> Execution:
        program = self._cloud_jobs.program(account, job_id)
        wanted = ESTIMATOR if spec.plan.estimated_by_provider else SAMPLER
        if program != wanted:  # e.g. submitted by a qdispatch that planned the job otherwise
            raise ProviderError(
                f"IBM job {job_id} ran the {program} program, but this job's plan needs "
                f"{wanted} results; submit the job again"
            )
        result = self._cloud_jobs.result(account, job_id)
        cost, notes, started = self._usage(account, job_id)
        circuits = self._cloud_jobs.circuits(account, job_id)
        if program == ESTIMATOR:
            ran = provenance.what_ran(
                spec,
                device.id,
                circuits,
                batches.exact_plans(spec),  # one PUB per circuit, as submit built them
                local=False,
                run=provenance.ESTIMATOR,
                resilience_level=resilience_level(spec),
            )
            return replace(self._estimated(spec, result, cost, notes), ran=ran)
        plans = batches.plan_pubs(spec, circuits)
        outputs = batches.decode_counts(result, plans)
        ran = provenance.what_ran(spec, device.id, circuits, plans, local=False)
        if not spec.use_mitigation:
            return Execution(outputs, cost=cost, notes=notes, ran=ran)
        execution = corrected_execution(
            outputs,
            plans,
            lambda: self._readout.from_job(device, result, circuits, len(plans), started),
            device,
            cost,
            notes,
        )
        return replace(execution, ran=ran)

    def _usage(
        self, account: Account, job_id: str
    ) -> tuple[Cost | None, tuple[str, ...], str | None]:
        """(the job's actual cost, None while IBM is counting: the estimate stands; notes for
        the job's logs; when it started running)."""
        try:
            seconds, started = self._cloud_jobs.usage(account, job_id)
            note = None if seconds is not None else "IBM has not reported the job's usage yet"
        except ProviderError as exc:
            seconds, started, note = None, None, str(exc)
        cost = qpu_cost(seconds) if seconds is not None else None
        return cost, ((f"{note}; the estimated cost stands",) if note else ()), started

    @staticmethod
    def _estimated(
        spec: JobSpec, result: Any, cost: Cost | None, notes: tuple[str, ...]
    ) -> Execution:
        estimates = batches.decode_estimates(result, spec)
        level = resilience_level(spec)
        record = None
        if spec.use_mitigation:
            record = batches.mitigation_record(level, getattr(result, "metadata", None))
        return Execution(
            estimates.values,
            cost=cost,
            mitigation=record,
            notes=(*notes, f"observables estimated by IBM's Estimator at resilience_level {level}"),
            uncertainties=estimates.errors,
        )

    def cancel(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> None:
        if device.local:
            return super().cancel(device, job_ids, credentials)
        self._cloud_jobs.cancel(self._account(credentials), job_ids)
