"""The Aer provider: noiseless local simulators behind the core's Backend protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qdispatch_aer import checks
from qdispatch_aer.batches import Batch
from qdispatch_aer.devices import build_devices
from qdispatch_aer.facts import load_facts
from qdispatch_aer.settings import RunSettings
from qdispatch_core.domain import Cost, Device
from qdispatch_core.ports.backend import Backend, DevicePlan, Execution, JobSpec, RemoteState
from qdispatch_qiskit.local_jobs import LocalJob, LocalJobs
from qdispatch_qiskit.memory import memory_limit_from_env

if TYPE_CHECKING:
    from qdispatch_aer.engine import Engine

Credentials = Mapping[str, str]
NOT_NEEDED = {"applied": False, "reason": "not needed: noiseless simulator"}


class AerBackend(Backend):
    """`aer_simulator` and `aer_simulator_mps`, run in this process.

    Nothing here imports Qiskit until a job is validated, prepared or run, so listing devices
    stays fast. `memory_limit_bytes` is what one simulation may use (default: the
    QDISPATCH_SIMULATION_MEMORY_BYTES environment variable, else 8 GiB).
    """

    provider = "aer"
    # Local jobs: the worker blocks in `wait`, so short intervals cost nothing but keep
    # progress and cancellation responsive.
    polling = (0.05, 0.5)

    def __init__(self, *, memory_limit_bytes: int | None = None, workers: int = 2) -> None:
        self.memory_limit_bytes = memory_limit_bytes or memory_limit_from_env()
        self._facts = load_facts()
        self._devices = build_devices(self._facts, self.memory_limit_bytes)
        self._jobs = LocalJobs(
            "aer", label="Aer job", failure="Aer simulation failed", workers=workers
        )
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from qdispatch_aer.engine import Engine  # numpy and Qiskit: only once jobs come

            self._engine = Engine()
        return self._engine

    # -- devices and planning --------------------------------------------------------------

    def list_devices(self, credentials: Credentials | None = None) -> Sequence[Device]:
        return list(self._devices)

    def _methods(self, device: Device) -> Mapping[str, Any]:
        return self._facts["devices"][device.id]["methods"]

    def validate(self, device: Device, spec: JobSpec) -> None:
        checks.check(device, spec, self.memory_limit_bytes, self._methods(device))

    def estimate_cost(
        self, device: Device, spec: JobSpec, *, credentials: Credentials | None = None
    ) -> Cost:
        return Cost.free("shots", spec.plan.total_shots)

    def prepare(self, device: Device, spec: JobSpec) -> DevicePlan:
        settings = RunSettings.resolve(device, spec.options)
        facts = []
        for i in range(len(spec.circuits)):
            circuit = self.engine.program(spec, i, settings).circuit
            facts.append(
                {
                    "index": i,
                    "transpiled_depth": circuit.depth(),
                    "transpiled_2q_gates": circuit.num_nonlocal_gates(),
                }
            )
        note = (
            f"transpiled for {device.id} (method {settings.method!r}, "
            f"optimization_level {settings.optimization_level})"
        )
        return DevicePlan(tuple(facts), (note,))

    # -- execution ----------------------------------------------------------------------

    def submit(self, device: Device, spec: JobSpec, credentials: Credentials) -> tuple[str, ...]:
        settings = RunSettings.resolve(device, spec.options)
        job = self._jobs.start(len(spec.plan.executables), lambda j: self._work(j, spec, settings))
        return (job.id,)

    def _work(self, job: LocalJob, spec: JobSpec, settings: RunSettings) -> None:
        methods: set[str] = set()

        def on_batch(batch: Batch, outputs: list[Any], used: set[str]) -> bool:
            job.outputs[batch.first : batch.first + batch.size] = outputs
            job.done += batch.size
            methods.update(used)
            # go on unless cancellation was asked for and executables remain
            return job.done == job.total or not job.stop_if_cancelled(
                f"cancelled after {job.done} of {job.total} executables"
            )

        self.engine.run(spec, settings, on_batch)
        if methods:
            job.notes.append(f"Aer simulated with method(s): {', '.join(sorted(methods))}")

    def poll(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> RemoteState:
        return self._jobs.state(job_ids[0])

    def wait(
        self, device: Device, job_ids: Sequence[str], credentials: Credentials, timeout: float
    ) -> RemoteState:
        return self._jobs.wait(job_ids[0], timeout)

    def fetch(
        self, device: Device, spec: JobSpec, job_ids: Sequence[str], credentials: Credentials
    ) -> Execution:
        job = self._jobs.finished_job(job_ids[0])
        return Execution(
            outputs=list(job.outputs),
            cost=self.estimate_cost(device, spec),
            mitigation=dict(NOT_NEEDED) if spec.use_mitigation else None,
            notes=tuple(job.notes),
        )

    def cancel(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> None:
        for job_id in job_ids:
            self._jobs.cancel(job_id)

    def close(self) -> None:
        self._jobs.shutdown()
