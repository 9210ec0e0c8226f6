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
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from qdispatch_core.domain import Shard
from qdispatch_core.errors import ProviderError
from qdispatch_ibm.batches import PubPlan
from qdispatch_ibm.catalog import fake_facts
from qdispatch_ibm.sdk import quiet_sdk, require

# Aer seeds experiment i of one call with seed + 2113·i.
AER_SEED_STRIDE = 2113


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
