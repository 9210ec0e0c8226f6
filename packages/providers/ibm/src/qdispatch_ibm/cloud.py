"""IBM Quantum cloud backends: listing an account's devices, and the jobs run on them.

Jobs are `SamplerV2` jobs (counts, measurement groups) or `EstimatorV2` jobs (observables) in job
mode. The runtime job id is what `submit` returns (the worker stores it before polling); `state`
and `fetch` find the job again by id alone, from the in-memory job object when this process
submitted it, else with `service.job(id)` (after a restart). Which program a job ran comes back
with it (`primitive_id`); the submitted PUB circuits are read back from the job's inputs when
the Sampler's results need them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from qdispatch_core.domain import Cost, Device, DeviceStatus, JobStatus, Shard
from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend import (
    Execution,
    JobSpec,
    RemoteState,
    ShardResult,
    runs_at_provider,
)
from qdispatch_ibm import batches, pricing, provenance
from qdispatch_ibm.batches import ESTIMATOR, SAMPLER
from qdispatch_ibm.catalog import backend_facts, fake_facts, twin_of
from qdispatch_ibm.checks import check_resilience_level
from qdispatch_ibm.devices import device_id_for, live_cloud_device
from qdispatch_ibm.errors import provider_error, translated
from qdispatch_ibm.local import Fakes
from qdispatch_ibm.mitigation import Readout, corrected_execution
from qdispatch_ibm.pricing import qpu_cost, quantum_seconds
from qdispatch_ibm.programs import UNMEASURED, Compiler
from qdispatch_ibm.sdk import quiet_sdk, require
from qdispatch_ibm.session import Account, Services, account_for
from qdispatch_ibm.settings import RunSettings
from qdispatch_ibm.status import remote_status

LIST_TTL_S = 300.0  # an account's device list, reused across submissions and the worker
Credentials = Mapping[str, str]


def resilience_level(spec: JobSpec) -> int:
    """The level an Estimator job of `spec` runs at (0 unless use_mitigation)."""
    return RunSettings.resolve(spec.options).estimator_level(spec.use_mitigation)


def _device_status(backend: Any) -> DeviceStatus:
    try:
        status = backend.status()
    except Exception:
        return DeviceStatus.UNKNOWN
    if status.operational and str(status.status_msg).lower() == "active":
        return DeviceStatus.ONLINE
    return DeviceStatus.OFFLINE


class CloudBackends:
    """The account's backends (objects and devices), cached per account."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._listings: dict[str, tuple[float, list[Device], dict[str, Any]]] = {}
        self._lock = threading.Lock()
        # device id -> backend object last seen by any account: its target serves estimates
        self.known: dict[str, Any] = {}

    def _secrets(self, account: Account) -> tuple[str | None, ...]:
        return (account.token, account.instance)

    def listing(self, account: Account) -> tuple[list[Device], dict[str, Any]]:
        key = account.fingerprint
        with self._lock:
            cached = self._listings.get(key)
        if cached is not None and time.monotonic() - cached[0] < LIST_TTL_S:
            return cached[1], cached[2]
        service = self.services.get(account)
        with translated("listing IBM Quantum backends", self._secrets(account)), quiet_sdk():
            backends = [b for b in service.backends() if not b.configuration().simulator]
            devices = [
                live_cloud_device(b.name, backend_facts(b), _device_status(b)) for b in backends
            ]
        by_id = {device_id_for(b.name): b for b in backends}
        with self._lock:
            self._listings[key] = (time.monotonic(), devices, by_id)
            self.known.update(by_id)
        return devices, by_id

    def backend(self, account: Account, device_id: str) -> Any:
        _, by_id = self.listing(account)
        backend = by_id.get(device_id)
        if backend is None:
            raise ProviderError(
                f"{device_id} is not among the backends of this IBM Quantum account and instance"
            )
        return backend


@dataclass(frozen=True, slots=True)
class Submitted:
    """What this process knows of a job it submitted: its PUB circuits."""

    circuits: list[Any]


PRIMITIVES = {"sampler": "SamplerV2", "estimator": "EstimatorV2"}  # program id -> runtime class


class CloudJobs:
    def __init__(self, services: Services, keep: int = 256) -> None:
        self.services = services
        # (account fingerprint, job id) -> (RuntimeJobV2, what we submitted): one account never
        # sees another's job object, even by id
        self._jobs: OrderedDict[tuple[str, str], tuple[Any, Submitted | None]] = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()

    def _remember(
        self, account: Account, job_id: str, job: Any, submitted: Submitted | None
    ) -> None:
        key = (account.fingerprint, job_id)
        with self._lock:
            self._jobs[key] = (job, submitted)
            self._jobs.move_to_end(key)
            while len(self._jobs) > self._keep:
                self._jobs.popitem(last=False)

    def submit(
        self,
        account: Account,
        backend: Any,
        program: str,
        pubs: list[tuple],
        options: dict[str, Any],
    ) -> str:
        """Run `pubs` with the runtime's `program` ("sampler" or "estimator") primitive."""
        runtime = require("qiskit_ibm_runtime")
        with translated(f"submitting to {backend.name}", (account.token,)), quiet_sdk():
            primitive = getattr(runtime, PRIMITIVES[program])(mode=backend, options=options)
            job = primitive.run(pubs)
            job_id = job.job_id()
        self._remember(account, job_id, job, Submitted([pub[0] for pub in pubs]))
        return job_id

    def job(self, account: Account, job_id: str) -> tuple[Any, Submitted | None]:
        with self._lock:
            known = self._jobs.get((account.fingerprint, job_id))
        if known is not None:
            return known
        service = self.services.get(account)
        with translated(f"looking up IBM job {job_id}", (account.token,)), quiet_sdk():
            job = service.job(job_id)
        self._remember(account, job_id, job, None)
        return job, None

    def state(self, account: Account, job_id: str) -> RemoteState:
        job, _ = self.job(account, job_id)
        with translated(f"reading the status of IBM job {job_id}", (account.token,)):
            status = remote_status(job.status())
            if status is not JobStatus.ERROR:
                return RemoteState(status)
            message = " ".join((job.error_message() or "").split())
        if job_id not in message:
            message = f"IBM job {job_id} failed: {message or 'IBM Quantum gave no reason'}"
        return RemoteState(status, 0, message)

    def program(self, account: Account, job_id: str) -> str:
        """The runtime program the job ran ("sampler" or "estimator"), as IBM records it."""
        job, _ = self.job(account, job_id)
        program = str(getattr(job, "primitive_id", "") or "")
        if program not in PRIMITIVES:
            raise ProviderError(
                f"IBM job {job_id} ran the program {program or 'of unknown name'}, which "
                "qdispatch did not submit (it submits sampler and estimator jobs)"
            )
        return program

    def result(self, account: Account, job_id: str) -> Any:
        """The job's PrimitiveResult."""
        job, _ = self.job(account, job_id)
        action = f"reading the results of IBM job {job_id}"
        with translated(action, (account.token,)), quiet_sdk():
            return job.result()

    def circuits(self, account: Account, job_id: str) -> list[Any]:
        """The PUB circuits the job ran: remembered, or read back from its inputs."""
        job, submitted = self.job(account, job_id)
        if submitted is None:  # a job from before a restart: read what it ran
            with translated(f"reading the inputs of IBM job {job_id}", (account.token,)):
                submitted = Submitted(batches.pub_circuits(job.inputs["pubs"]))
            self._remember(account, job_id, job, submitted)
        return submitted.circuits

    def usage(self, account: Account, job_id: str) -> tuple[float | None, str | None]:
        """(QPU seconds billed, when the job started running), None while IBM is counting."""
        job, _ = self.job(account, job_id)
        with translated(f"reading the usage of IBM job {job_id}", (account.token,)):
            metrics = job.metrics()
        usage = metrics.get("usage") or {}
        started = (metrics.get("timestamps") or {}).get("running")
        if usage.get("status", "pending") == "pending":
            return None, started
        seconds = usage.get("qpu_charge_time_seconds", usage.get("quantum_seconds"))
        return (float(seconds) if seconds is not None else None), started

    def cancel(self, account: Account, job_ids: Sequence[str]) -> None:
        exceptions = require("qiskit_ibm_runtime.exceptions")
        for job_id in job_ids:
            job, _ = self.job(account, job_id)
            try:
                with quiet_sdk():
                    job.cancel()
            except exceptions.RuntimeInvalidStateError:
                continue  # HTTP 409: the job already finished; cancelling is harmless
            except Exception as exc:
                raise provider_error(
                    exc, f"cancelling IBM job {job_id}", (account.token,)
                ) from None


class CloudRunner:
    """What `IBMBackend` does for a cloud QPU: transpiled on its live target (else the
    snapshot twin's), priced in QPU seconds, run as Sampler or Estimator jobs and followed by
    id; `run_shard` refuses it (`runs_at_provider`)."""

    # IBM's Estimator computes a sampled Run's observables (its own grouping, and under
    # use_mitigation its resilience levels: TREX at 1).
    estimates_observables = True

    def __init__(
        self,
        compiler: Compiler,
        backends: CloudBackends,
        jobs: CloudJobs,
        fakes: Fakes,
        readout: Readout,
    ) -> None:
        self.compiler = compiler
        self.backends = backends
        self.jobs = jobs
        self.fakes = fakes
        self.readout = readout

    def target(self, device: Device) -> tuple[Any, float | None, str] | None:
        """The live target when an account listed the device, else its snapshot twin's."""
        live = self.backends.known.get(device.id)
        if live is not None:
            return live.target, pricing.rep_delay(live), f"{device.id} (live calibration)"
        twin = twin_of(device.id)
        if fake_facts(twin) is None:
            return None
        backend = self.fakes.get(twin)
        return backend.target, pricing.rep_delay(backend), f"the snapshot {twin}"

    def validate(self, device: Device, spec: JobSpec) -> None:
        check_resilience_level(spec)
        self._check_translation(device, spec)

    def _check_translation(self, device: Device, spec: JobSpec) -> None:
        """The transpilation a dry run does (on the live target or the snapshot twin), so a
        circuit the device cannot run is refused at submission as a dry run refuses it."""
        found = self.target(device)
        if found is None:
            return  # no calibration data yet: the worker transpiles on the live target
        program_for = self.compiler.for_spec(found[0], spec)
        for i in range(len(spec.circuits)):
            program_for(i, batches.variant(spec, i))

    def estimate_cost(self, device: Device, spec: JobSpec) -> Cost:
        found = self.target(device)
        if found is None:
            return Cost.unavailable(
                f"no calibration data for {device.id} without credentials: IBM bills QPU "
                "seconds, which depend on the device's gate durations"
            )
        target, delay, _ = found
        program_for = self.compiler.for_spec(target, spec)
        try:
            if spec.plan.estimated_by_provider:
                level = resilience_level(spec)
                timings = pricing.estimator_timings(spec, program_for, target, level)
            else:
                timings = pricing.pub_timings(spec, program_for, target)
        except Exception as exc:  # a target without durations: no honest figure
            return Cost.unavailable(f"cannot schedule the circuits on {device.id}: {exc}")
        return qpu_cost(quantum_seconds(timings, delay))

    def run_shard(self, device: Device, spec: JobSpec, shard: Shard) -> ShardResult:
        raise runs_at_provider(device)

    # -- the remote protocol -------------------------------------------------------------

    def submit(self, device: Device, spec: JobSpec, credentials: Credentials) -> tuple[str, ...]:
        account = _account(credentials)
        backend = self.backends.backend(account, device.id)
        program_for = self.compiler.for_spec(backend.target, spec)
        if spec.plan.estimated_by_provider:
            level = resilience_level(spec)
            built = batches.estimator_pubs(spec, lambda c: program_for(c, UNMEASURED))
            options = batches.estimator_options(spec.shots, level)
            return (self.jobs.submit(account, backend, ESTIMATOR, built, options),)
        built = batches.build_pubs(spec, program_for, backend.target)
        if spec.use_mitigation:
            built += self.readout.calibration_pubs(device, spec, built, backend.num_qubits)
        options = {"default_shots": spec.shots}
        return (self.jobs.submit(account, backend, SAMPLER, built, options),)

    def poll(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> RemoteState:
        return self.jobs.state(_account(credentials), job_ids[0])

    def fetch(
        self, device: Device, spec: JobSpec, job_ids: Sequence[str], credentials: Credentials
    ) -> Execution:
        account, job_id = _account(credentials), job_ids[0]
        program = self.jobs.program(account, job_id)
        wanted = ESTIMATOR if spec.plan.estimated_by_provider else SAMPLER
        if program != wanted:  # e.g. submitted by a qdispatch that planned the job otherwise
            raise ProviderError(
                f"IBM job {job_id} ran the {program} program, but this job's plan needs "
                f"{wanted} results; submit the job again"
            )
        result = self.jobs.result(account, job_id)
        cost, notes, started = self._usage(account, job_id)
        circuits = self.jobs.circuits(account, job_id)
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
            return replace(_estimated(spec, result, cost, notes), ran=ran)
        plans = batches.plan_pubs(spec, circuits)
        outputs = batches.decode_counts(result, plans)
        ran = provenance.what_ran(spec, device.id, circuits, plans, local=False)
        if not spec.use_mitigation:
            return Execution(outputs, cost=cost, notes=notes, ran=ran)
        execution = corrected_execution(
            outputs,
            plans,
            lambda: self.readout.from_job(device, result, circuits, len(plans), started),
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
            seconds, started = self.jobs.usage(account, job_id)
            note = None if seconds is not None else "IBM has not reported the job's usage yet"
        except ProviderError as exc:
            seconds, started, note = None, None, str(exc)
        cost = qpu_cost(seconds) if seconds is not None else None
        return cost, ((f"{note}; the estimated cost stands",) if note else ()), started

    def cancel(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> None:
        self.jobs.cancel(_account(credentials), job_ids)


def _account(credentials: Credentials) -> Account:
    account = account_for(credentials)
    if account is None:
        raise ProviderError(
            "IBM Quantum needs ibm_quantum_token and ibm_quantum_instance (or an account "
            "saved for qiskit-ibm-runtime)"
        )
    return account


def _estimated(spec: JobSpec, result: Any, cost: Cost | None, notes: tuple[str, ...]) -> Execution:
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
