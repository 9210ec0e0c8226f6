"""A job's runtime options (already validated against the device's OptionSpecs), resolved."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from qdispatch_aer.devices import default_method
from qdispatch_core.domain import Device

DEFAULT_OPTIMIZATION_LEVEL = 1  # cheap, keeps qubits in place, merges single-qubit runs
MPS = "matrix_product_state"
# Aer seeds experiment i of one call with seed + 2113·i (its controller does; a test checks it),
# so a batch run in pieces (shards) gets exactly the seeds one call would have given it.
AER_SEED_STRIDE = 2113
# Aer parallelises a statevector's (and a matrix product state's) gates from this width on
# (its statevector_parallel_threshold and mps_parallel_threshold defaults); narrower circuits
# only use threads across shots and experiments, which simulation processes already spread.
PARALLEL_QUBITS = 14


@dataclass(frozen=True, slots=True)
class RunSettings:
    method: str
    precision: str = "double"
    max_parallel_threads: int | None = None
    optimization_level: int = DEFAULT_OPTIMIZATION_LEVEL
    seed_transpiler: int | None = None
    seed_simulator: int | None = None
    # The bond-dimension bound of matrix-product-state runs (None for other methods).
    max_bond_dimension: int | None = None

    @classmethod
    def resolve(
        cls, device: Device, options: Mapping[str, Any], max_bond_dimension: int | None = None
    ) -> RunSettings:
        method = str(options.get("method", default_method(device)))
        return cls(
            method=method,
            precision=str(options.get("precision", "double")),
            max_parallel_threads=options.get("max_parallel_threads"),
            optimization_level=int(options.get("optimization_level", DEFAULT_OPTIMIZATION_LEVEL)),
            seed_transpiler=options.get("seed_transpiler"),
            seed_simulator=options.get("seed_simulator"),
            max_bond_dimension=max_bond_dimension if method == MPS else None,
        )

    def with_default_threads(self, threads: int | None) -> RunSettings:
        """These settings with `threads` when the job named none."""
        if self.max_parallel_threads is not None or threads is None:
            return self
        return replace(self, max_parallel_threads=threads)

    @property
    def simulator_key(self) -> tuple[str, str, int | None, int | None]:
        """What distinguishes one AerSimulator instance from another."""
        return (self.method, self.precision, self.max_parallel_threads, self.max_bond_dimension)

    @property
    def transpile_key(self) -> tuple[str, int, int | None]:
        return (self.method, self.optimization_level, self.seed_transpiler)

    def batch_seed(self, batch: int) -> int | None:
        """The seed of one Aer call. The first call uses the job's seed as given (a one-circuit
        job reproduces a plain AerSimulator run with that seed); later calls get seeds derived
        from it, so measurement groups of one circuit are sampled independently."""
        if self.seed_simulator is None or batch == 0:
            return self.seed_simulator
        digest = hashlib.sha256(f"{self.seed_simulator}:{batch}".encode()).digest()
        return int.from_bytes(digest[:4], "big") >> 1  # below 2^31: valid for every Aer build

    def piece_seed(self, batch: int, offset: int) -> int | None:
        """The seed of the Aer call that runs a batch's parameter sets from `offset` on: its
        first experiment gets the seed it would have had in the call of the whole batch."""
        seed = self.batch_seed(batch)
        return None if seed is None else seed + AER_SEED_STRIDE * offset
