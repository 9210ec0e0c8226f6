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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qdispatch_core.domain import Device, DeviceStatus, JobStatus
from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend import RemoteState
from qdispatch_ibm.catalog import backend_facts
from qdispatch_ibm.devices import device_id_for, live_cloud_device
from qdispatch_ibm.errors import provider_error, translated
from qdispatch_ibm.sdk import quiet_sdk, require
from qdispatch_ibm.session import Account, Services
from qdispatch_ibm.status import remote_status

LIST_TTL_S = 300.0  # an account's device list, reused across submissions and the worker


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
                from qdispatch_ibm import batches as pubs_module

                submitted = Submitted(pubs_module.pub_circuits(job.inputs["pubs"]))
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
