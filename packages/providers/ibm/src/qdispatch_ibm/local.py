"""The fake backends, run here shard by shard (in the worker's simulation processes): sampled
through the runtime's local testing mode, or simulated exactly (density matrix) for noisy
expectation values.

`SamplerV2(mode=fake_backend)` is the runtime's local testing mode: it runs qiskit's
BackendSamplerV2 on the fake backend, whose `run` is Aer with the snapshot's noise model. A shard
is the slice of the job's PUBs that holds its executables (rows of their parameter values), run
as one sampler job; its seed is the job's plus Aer's per-experiment stride times the shard's
first executable, so a shard's seeds never depend on which shards ran before it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from qdispatch_core.domain import Cost, Device, Shard
from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend import (
    Execution,
    JobSpec,
    RemoteState,
    ShardResult,
    runs_in_shards,
)
from qdispatch_ibm import batches, mitigation, pricing, provenance
from qdispatch_ibm.batches import PubPlan
from qdispatch_ibm.catalog import fake_facts
from qdispatch_ibm.checks import check_noisy_exact, check_noisy_sampling
from qdispatch_ibm.mitigation import Readout, corrected_execution
from qdispatch_ibm.pricing import local_cost
from qdispatch_ibm.programs import UNMEASURED, Compiler
from qdispatch_ibm.sdk import quiet_sdk, require
from qdispatch_ibm.settings import RunSettings
from qdispatch_qiskit.failures import simulation_failures

# Aer seeds experiment i of one call with seed + 2113·i.
AER_SEED_STRIDE = 2113
NOTHING_TO_CORRECT = {
    "applied": False,
    "reason": "exact expectation values of the noisy state: nothing is measured, so there is "
    "no readout error to correct",
}
Credentials = Mapping[str, str]


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


def shard_seed(seed: int | None, shard: Shard) -> int | None:
    return None if seed is None else seed + AER_SEED_STRIDE * shard.first


def slice_pub(pub: tuple, start: int, stop: int) -> tuple:
    """The PUB's parameter sets `start` .. `stop - 1` (the last element of a PUB that has
    parameter values is their matrix, one row per set)."""
    if len(pub) == 1 or not hasattr(pub[-1], "shape"):  # one unparameterised set
        if (start, stop) != (0, 1):
            raise ProviderError(f"a PUB of one set cannot be cut at {start}..{stop}")
        return pub
    return (*pub[:-1], pub[-1][start:stop])


def shard_pubs(
    pubs: Sequence[tuple], plans: Sequence[PubPlan], shard: Shard
) -> tuple[list[tuple], list[PubPlan]]:
    """The pieces of `pubs` that hold the shard's executables, and where their outputs go
    (`first` counted from the shard's first executable)."""
    pieces: list[tuple] = []
    placed: list[PubPlan] = []
    for pub, plan in zip(pubs, plans, strict=True):
        start = max(shard.first, plan.first)
        stop = min(shard.stop, plan.first + plan.sets)
        if start >= stop:
            continue
        pieces.append(slice_pub(pub, start - plan.first, stop - plan.first))
        placed.append(replace(plan, first=start - shard.first, sets=stop - start))
    return pieces, placed


class LocalRunner:
    """What `IBMBackend` does for a fake backend: checked against the memory budget, free, run
    here in shards; the remote protocol's calls refuse it (`runs_in_shards`)."""

    # The runtime's local Estimator ignores resilience levels, and the client-side one that
    # applies them simulates every qubit of the device: fake backends measure qdispatch's
    # groups with the Sampler instead (docs/providers.md).
    estimates_observables = False

    def __init__(
        self, compiler: Compiler, fakes: Fakes, readout: Readout, memory_limit_bytes: int
    ) -> None:
        self.compiler = compiler
        self.fakes = fakes
        self.readout = readout
        self.memory_limit_bytes = memory_limit_bytes

    def target(self, device: Device) -> tuple[Any, float | None, str] | None:
        return self.fakes.get(device.id).target, None, device.id

    def validate(self, device: Device, spec: JobSpec) -> None:
        program_for = self.compiler.for_spec(self.fakes.get(device.id).target, spec)
        limit = self.memory_limit_bytes
        check_noisy_sampling(
            device, spec, lambda c: program_for(c, batches.variant(spec, c)), limit
        )
        check_noisy_exact(device, spec, lambda c: program_for(c, batches.UNMEASURED), limit)

    def estimate_cost(self, device: Device, spec: JobSpec) -> Cost:
        return local_cost(spec.plan.total_shots)

    # -- the remote protocol: not for fake backends ----------------------------------------

    def submit(self, device: Device, spec: JobSpec, credentials: Credentials) -> tuple[str, ...]:
        raise runs_in_shards(device)

    def poll(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> RemoteState:
        raise runs_in_shards(device)

    def fetch(
        self, device: Device, spec: JobSpec, job_ids: Sequence[str], credentials: Credentials
    ) -> Execution:
        raise runs_in_shards(device)

    def cancel(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> None:
        raise runs_in_shards(device)

    # -- shards ------------------------------------------------------------------------------

    def run_shard(self, device: Device, spec: JobSpec, shard: Shard) -> ShardResult:
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
        backend = self.fakes.get(device.id)
        program_for = self.compiler.for_spec(backend.target, spec)
        built = batches.build_pubs(spec, program_for, backend.target)
        plans = batches.plan_pubs(spec, [p[0] for p in built])
        pieces, placed = shard_pubs(built, plans, shard)
        seed = shard_seed(settings.seed_simulator, shard)
        result = sample(backend, pieces, spec.shots, seed).result()
        note = pricing.layout_note(device.id, spec, program_for)
        return ShardResult(batches.decode_counts(result, placed), (note,))

    def _exact_shard(self, device: Device, spec: JobSpec, shard: Shard) -> ShardResult:
        backend = self.fakes.get(device.id)
        program_for = self.compiler.for_spec(backend.target, spec)
        noise = self.fakes.noise_model(device.id)
        built = batches.estimator_pubs(spec, lambda c: program_for(c, UNMEASURED))
        pieces, placed = shard_pubs(built, batches.exact_plans(spec), shard)
        result = estimate_exactly(noise, pieces).result()
        note = f"exact expectation values of the noisy state ({device.id} noise model)"
        return ShardResult(batches.decode_pieces(result, spec, placed), (note,))

    def finish(
        self, device: Device, spec: JobSpec, outputs: list[Any], notes: tuple[str, ...]
    ) -> Execution:
        cost = local_cost(spec.plan.total_shots)
        simulator = self.fakes.get(device.id)
        program_for = self.compiler.for_spec(simulator.target, spec)
        if spec.plan.output_kind == "expectations":
            record = dict(NOTHING_TO_CORRECT) if spec.use_mitigation else None
            ran = _exact_ran(device, spec, program_for)
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
                lambda: self.readout.for_fake(device, simulator, qubits),
                device,
                cost,
                notes,
            )
        return replace(execution, ran=ran)


def _exact_ran(device: Device, spec: JobSpec, program_for: Any) -> dict[str, Any]:
    """What ran for exact values on a fake twin: the per-circuit estimator PUBs the shards
    simulated (`LocalRunner._exact_shard`), rebuilt from the cached programs."""
    built = batches.estimator_pubs(spec, lambda c: program_for(c, UNMEASURED))
    plans = batches.exact_plans(spec)
    circuits = batches.pub_circuits(built)
    return provenance.what_ran(spec, device.id, circuits, plans, local=True, run=provenance.EXACT)
