"""AerSimulator instances built once and shared by every job with the same configuration.

Building a simulator, its Target and an estimator costs tens of milliseconds; a Bell job costs
about one. Instances are never reconfigured after creation (per-run settings such as seeds and
shots are passed to `run`), so sharing them between threads is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qdispatch_aer.sdk import require
from qdispatch_aer.settings import RunSettings


@dataclass(frozen=True, slots=True)
class Simulator:
    aer: Any  # qiskit_aer.AerSimulator
    estimator: Any  # qiskit_aer.primitives.EstimatorV2 on `aer`, exact (precision 0)


# A sweep is one Aer call with one experiment per parameter set. Aer's default runs them one
# after another, each on all threads, which small circuits (below its
# statevector_parallel_threshold of 14 qubits) cannot use; 0 lets Aer run as many side by side
# as threads and memory allow (1.5x on a 12-qubit, 1000-set sweep on 2 cores). Calls with one
# experiment keep Aer's default: starting the parallel region costs a small job more than it
# gains. Wide circuits still get the threads inside one experiment.
SWEEP = 0


class Simulators:
    def __init__(self) -> None:
        from qdispatch_qiskit import cache

        self._simulators: cache.LruCache[Simulator] = cache.LruCache(maxsize=16)
        self._targets: cache.LruCache[Any] = cache.LruCache(maxsize=16)  # Qiskit Targets

    def get(self, settings: RunSettings) -> Simulator:
        return self._simulators.get_or_create(settings.simulator_key, lambda: _build(settings))

    def target(self, method: str) -> Any:
        """The transpiler target of a method (the same object each time, so pass managers are
        reused). Precision and threads do not change what a method accepts."""
        return self._targets.get_or_create(method, lambda: self.get(RunSettings(method)).aer.target)


def _build(settings: RunSettings) -> Simulator:
    aer = require("qiskit_aer")
    primitives = require("qiskit_aer.primitives")
    options: dict[str, Any] = {"method": settings.method, "precision": settings.precision}
    if settings.max_parallel_threads is not None:
        options["max_parallel_threads"] = settings.max_parallel_threads
    if settings.max_bond_dimension is not None:
        options["matrix_product_state_max_bond_dimension"] = settings.max_bond_dimension
    simulator = aer.AerSimulator(**options)
    estimator = primitives.EstimatorV2.from_backend(
        simulator,
        options={"default_precision": 0.0, "run_options": {"max_parallel_experiments": SWEEP}},
    )
    return Simulator(simulator, estimator)
