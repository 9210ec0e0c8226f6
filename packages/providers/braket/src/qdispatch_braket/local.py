"""Jobs on the SDK's local simulators: the same programs and program sets a cloud device would
get, run by `braket.devices.LocalSimulator` in a thread of the worker process."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from qdispatch_braket import mitigation as m
from qdispatch_braket import programs
from qdispatch_braket.assembly import assemble
from qdispatch_braket.capabilities import Capabilities, from_local_facts
from qdispatch_braket.compiler import Compiler
from qdispatch_braket.readings import Reading, readings
from qdispatch_braket.sdk import require
from qdispatch_braket.settings import RunSettings
from qdispatch_braket.workload import braket_tasks, build
from qdispatch_core.domain import Cost, Device
from qdispatch_core.ports.backend import Execution, JobSpec
from qdispatch_qiskit.local_jobs import LocalJob, LocalJobs

# Calibrating the local noisy simulator costs nothing but time; many shots make it precise.
LOCAL_CALIBRATION_SHOTS = 20_000


def decision_for(device: Device, spec: JobSpec, settings: RunSettings) -> m.Decision:
    return m.decide(
        use_mitigation=spec.use_mitigation,
        local=True,
        simulator=True,
        vendor="amazon",
        noisy=settings.noise.any,
    )


class LocalRunner:
    def __init__(self, compiler: Compiler, catalog: Mapping[str, Any], workers: int = 2) -> None:
        # braket_local_dm without noise options runs noise-free circuits: that is the point of
        # the device, not something to warn every job about.
        warnings.filterwarnings(
            "ignore", message="You are running a noise-free circuit on the density matrix"
        )
        self.compiler = compiler
        self.catalog = catalog
        self.jobs = LocalJobs(
            "braket-local",
            label="Braket local job",
            failure="the Braket local simulator failed",
            workers=workers,
        )
        self.calibrations = m.CalibrationCache()

    def capabilities(self, device: Device) -> Capabilities:
        return from_local_facts(self.catalog["local"][device.id])

    def start(self, device: Device, spec: JobSpec) -> str:
        job = self.jobs.start(len(spec.plan.executables), lambda j: self._work(j, device, spec))
        return job.id

    def _simulator(self, device: Device) -> Any:
        backend = self.catalog["local"][device.id]["backend"]
        return require("braket.devices").LocalSimulator(backend)

    def _work(self, job: LocalJob, device: Device, spec: JobSpec) -> None:
        settings = RunSettings.resolve(spec.options)
        decision = decision_for(device, spec, settings)
        caps = self.capabilities(device)
        workload = build(spec, caps, settings, decision, self.compiler)
        simulator = self._simulator(device)
        found: list[Reading] = []
        tasks = list(braket_tasks(workload, settings.noise))
        for k, task in enumerate(tasks):
            if job.stop_if_cancelled(f"cancelled after {k} of {len(tasks)} tasks"):
                return
            result = simulator.run(task.specification, shots=task.shots).result()
            found += readings(result)
            job.done = min(len(found), workload.executables)
        calibration = None
        if decision.mode == m.READOUT_CACHED and spec.plan.output_kind == "counts":
            calibration = self._calibration(simulator, device, spec, settings)
        assembled = assemble(spec, found, decision, calibration)
        program_sets = sum(1 for shape in workload.shapes if shape.program_set)
        notes = (
            f"{len(tasks)} local Braket task(s) on {device.id}, {program_sets} program set(s)",
        )
        job.result = Execution(
            outputs=assembled.outputs,
            cost=Cost.free("shots", spec.plan.total_shots),
            mitigation=assembled.mitigation,
            raw_outputs=assembled.raw_outputs,
            notes=notes,
        )

    def _calibration(
        self, simulator: Any, device: Device, spec: JobSpec, settings: RunSettings
    ) -> m.Calibration:
        width = max(c.qubits for c in spec.plan.circuits)
        key = (device.id, width, settings.noise)
        cached = self.calibrations.get(key)
        if cached is not None:
            return cached
        program = require("braket.ir.openqasm").Program
        counts = []
        for ones in (False, True):
            source = programs.calibration(range(width), ones=ones, pinned=False)
            text = programs.with_noise(source.text, settings.noise)
            result = simulator.run(program(source=text), shots=LOCAL_CALIBRATION_SHOTS).result()
            counts.append(dict(result.measurement_counts))
        calibration = m.calibration_from_counts(
            counts[0], counts[1], list(range(width)), LOCAL_CALIBRATION_SHOTS
        )
        self.calibrations.put(key, calibration)
        return calibration

    def execution(self, job_id: str) -> Execution:
        return self.jobs.finished_job(job_id).result
