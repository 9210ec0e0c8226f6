"""Jobs on the SDK's local simulators, shard by shard in the worker's simulation processes: the
same programs and program sets a cloud device would get, run by
`braket.devices.LocalSimulator`.

A sampled shard's outputs are its readings as plain data (counts keyed as Braket keys them,
with the measured qubits): the finishing step reads them into the job's outputs and, with
mitigation on the noisy density-matrix simulator, corrects them with one calibration for the
whole job. An exact shard's outputs are final (nothing to mitigate).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from qdispatch_braket import mitigation as m
from qdispatch_braket import programs, provenance
from qdispatch_braket.batches import braket_tasks, build, for_shard
from qdispatch_braket.devices import Capabilities, from_local_facts
from qdispatch_braket.outputs import (
    Reading,
    assemble,
    exact_outputs,
    from_record,
    readings,
    to_record,
)
from qdispatch_braket.programs import Compiler
from qdispatch_braket.sdk import require
from qdispatch_braket.settings import RunSettings
from qdispatch_core.domain import Cost, Device, Shard
from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend import (
    Execution,
    JobSpec,
    RemoteState,
    ShardResult,
    runs_in_shards,
)
from qdispatch_qiskit.failures import simulation_failures

FAILURE = "the Braket local simulator failed"
Credentials = Mapping[str, str]

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
    """What `BraketBackend` does for the SDK's local simulators: free, no credentials, run
    here in shards; the remote protocol's calls refuse them (`runs_in_shards`)."""

    plan_notes: tuple[str, ...] = ()

    def __init__(self, compiler: Compiler, catalog: Mapping[str, Any]) -> None:
        # braket_local_dm without noise options runs noise-free circuits: that is the point of
        # the device, not something to warn every job about.
        warnings.filterwarnings(
            "ignore", message="You are running a noise-free circuit on the density matrix"
        )
        self.compiler = compiler
        self.catalog = catalog
        self.calibrations = m.CalibrationCache()

    def facts(self, device: Device) -> Mapping[str, Any]:
        return self.catalog["local"][device.id]

    def capabilities(self, device: Device) -> Capabilities:
        return from_local_facts(self.facts(device))

    def decision(self, device: Device, spec: JobSpec) -> m.Decision:
        return decision_for(device, spec, RunSettings.resolve(spec.options))

    def missing_credentials(self, credentials: Credentials) -> tuple[str, ...]:
        return ()

    def estimate_cost(self, device: Device, spec: JobSpec) -> Cost:
        return Cost.free("shots", spec.plan.total_shots)

    # -- the remote protocol: not for local simulators --------------------------------------

    def submit(self, device: Device, spec: JobSpec, credentials: Credentials) -> tuple[str, ...]:
        raise runs_in_shards(device)

    def poll(self, device: Device, ids: Sequence[str], credentials: Credentials) -> RemoteState:
        raise runs_in_shards(device)

    def fetch(
        self, device: Device, spec: JobSpec, ids: Sequence[str], credentials: Credentials
    ) -> Execution:
        raise runs_in_shards(device)

    def cancel(self, device: Device, ids: Sequence[str], credentials: Credentials) -> None:
        raise runs_in_shards(device)

    # -- shards ------------------------------------------------------------------------------

    def _simulator(self, device: Device) -> Any:
        backend = self.facts(device)["backend"]
        return require("braket.devices").LocalSimulator(backend)

    def run_shard(self, device: Device, spec: JobSpec, shard: Shard) -> ShardResult:
        with simulation_failures(FAILURE):
            return self._run_shard(device, spec, shard)

    def _run_shard(self, device: Device, spec: JobSpec, shard: Shard) -> ShardResult:
        settings = RunSettings.resolve(spec.options)
        decision = decision_for(device, spec, settings)
        caps = self.capabilities(device)
        workload = for_shard(
            build(spec, caps, settings, decision, self.compiler), spec, caps, shard
        )
        simulator = self._simulator(device)
        found: list[Reading] = []
        for task in braket_tasks(workload, settings.noise):
            result = simulator.run(task.specification, shots=task.shots).result()
            found += readings(result)
        if len(found) != shard.count:
            raise ProviderError(f"{FAILURE}: {len(found)} results for {shard.count} executables")
        note = f"local Braket tasks on {device.id}, sweeps in program sets where it takes them"
        if spec.plan.output_kind != "counts":
            return ShardResult(exact_outputs(spec, found, shard.first, shard.count), (note,))
        for reading in found:
            if reading.failure is not None:
                raise ProviderError(f"Amazon Braket could not run an executable: {reading.failure}")
        return ShardResult([to_record(r) for r in found], (note,))

    def finish(
        self, device: Device, spec: JobSpec, outputs: list[Any], notes: tuple[str, ...]
    ) -> Execution:
        settings = RunSettings.resolve(spec.options)
        decision = decision_for(device, spec, settings)
        cost = Cost.free("shots", spec.plan.total_shots)
        workload = build(spec, self.capabilities(device), settings, decision, self.compiler)
        ran = provenance.what_ran(spec, device.id, workload, settings, noise=settings.noise)
        if spec.plan.output_kind != "counts":
            record = (
                None
                if decision.mode == m.NOT_REQUESTED
                else {
                    "applied": False,
                    "reason": "not needed: exact simulation",
                }
            )
            return Execution(outputs=outputs, cost=cost, mitigation=record, notes=notes, ran=ran)
        found = [from_record(o) for o in outputs]
        calibration = None
        if decision.mode == m.READOUT_CACHED:
            with simulation_failures(FAILURE):
                calibration = self._calibration(self._simulator(device), device, spec, settings)
        assembled = assemble(spec, found, decision, calibration)
        return Execution(
            outputs=assembled.outputs,
            cost=cost,
            mitigation=assembled.mitigation,
            raw_outputs=assembled.raw_outputs,
            readout=assembled.readout,
            notes=notes,
            ran=ran,
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
