"""The fake backends, run here: sampled through the runtime's local testing mode, or simulated
exactly (density matrix) for noisy expectation values.

`SamplerV2(mode=fake_backend)` is the runtime's local testing mode: it runs qiskit's
BackendSamplerV2 on the fake backend, whose `run` is Aer with the snapshot's noise model. The
job it returns (a LocalRuntimeJob) runs in a thread and reports qiskit's JobStatus enum, mapped
through status.LOCAL_STATUS. Job ids exist only in this process: after a restart the worker
runs a local job again from the start.
"""

from __future__ import annotations

import threading
import time
from concurrent import futures
from dataclasses import dataclass
from typing import Any

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend import RemoteState
from qdispatch_ibm.catalog import fake_facts
from qdispatch_ibm.errors import describe
from qdispatch_ibm.pubs import PubPlan
from qdispatch_ibm.sdk import quiet_sdk, require
from qdispatch_ibm.status import local_status
from qdispatch_qiskit.local_jobs import JobRegistry

S = JobStatus


class Fakes:
    """One instance per fake backend, so its target, transpiler pass managers and noise model
    are built once per process."""

    def __init__(self) -> None:
        self._backends: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, device_id: str) -> Any:
        with self._lock:
            backend = self._backends.get(device_id)
            if backend is None:
                facts = fake_facts(device_id)
                if facts is None:
                    raise ProviderError(f"{device_id} is not one of the runtime's fake backends")
                with quiet_sdk():
                    module = require("qiskit_ibm_runtime.fake_provider")
                    backend = getattr(module, facts["class"])()
                self._backends[device_id] = backend
            return backend

    def noise_model(self, device_id: str) -> Any:
        """The noise model the fake backend's own simulator uses (readout, gate and relaxation
        errors from the snapshot's properties)."""
        backend = self.get(device_id)
        with self._lock, quiet_sdk():
            if getattr(backend, "sim", None) is None:
                backend._setup_sim()  # builds the model once and keeps it on the backend
            return backend.options.noise_model


def sample(backend: Any, pubs: list[tuple], shots: int, seed: int | None) -> Any:
    runtime = require("qiskit_ibm_runtime")
    with quiet_sdk():
        sampler = runtime.SamplerV2(mode=backend, options={"default_shots": shots})
        if seed is not None:
            sampler.options.simulator.seed_simulator = seed
        return sampler.run(pubs)


def estimate_exactly(noise_model: Any, pubs: list[tuple]) -> Any:
    """Aer's EstimatorV2 at precision 0 on a density matrix with the snapshot's noise: the exact
    expectation values of the noisy state (Aer drops the idle qubits of the ISA circuit)."""
    primitives = require("qiskit_aer.primitives")
    options = {
        "default_precision": 0.0,
        "backend_options": {"method": "density_matrix", "noise_model": noise_model},
    }
    with quiet_sdk():
        return primitives.EstimatorV2(options=options).run(pubs)


@dataclass
class LocalEntry:
    job: Any  # LocalRuntimeJob (sampler) or Aer's PrimitiveJob (estimator)
    kind: str  # the plan's output kind
    total: int  # executables
    plans: list[PubPlan] | None = None  # sampler jobs: where the outputs go
    notes: tuple[str, ...] = ()
    cancelled: bool = False


def _finished(entry: LocalEntry) -> bool:
    return entry.cancelled or entry.job.in_final_state()


class LocalJobs(JobRegistry[LocalEntry]):
    """The runtime's jobs run in threads of their own; this remembers them under `ibm-local-…`
    ids and reads their state through the status table."""

    def __init__(self, keep_finished: int = 64) -> None:
        super().__init__(
            "ibm-local",
            "local IBM job",
            _finished,
            keep_finished=keep_finished,
            kind="fake-backend jobs",
        )

    def state(self, job_id: str) -> RemoteState:
        entry = self.get(job_id)
        if entry.cancelled:
            return RemoteState(S.CANCELLED, 0, "cancelled by the user")
        status = local_status(entry.job.status())
        if status is S.ERROR:
            return RemoteState(S.ERROR, 0, self._failure(entry))
        return RemoteState(status, entry.total if status is S.DONE else 0)

    @staticmethod
    def _failure(entry: LocalEntry) -> str:
        try:
            entry.job.result()
        except Exception as exc:
            return describe(exc, "the local simulation failed")
        return "the local simulation failed without a message"

    def wait(self, job_id: str, timeout: float) -> RemoteState:
        entry = self.get(job_id)
        future = getattr(entry.job, "_future", None)
        if isinstance(future, futures.Future):
            futures.wait([future], timeout=max(0.0, timeout))
        else:  # no future to wait on: poll gently
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not self.state(job_id).status.is_final:
                time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        return self.state(job_id)

    def cancel(self, job_id: str) -> None:
        entry = self.get(job_id)
        if local_status(entry.job.status()).is_final:
            return  # finished: nothing to stop
        entry.job.cancel()  # stops a job that has not started; a running one finishes unused
        entry.cancelled = True

    def result(self, job_id: str) -> tuple[LocalEntry, Any]:
        entry = self.get(job_id)
        if entry.cancelled:
            raise ProviderError(f"local IBM job {job_id} was cancelled; it has no results")
        with quiet_sdk():
            return entry, entry.job.result()
