"""A job's runtime options (validated against the device's OptionSpecs), resolved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Level 2 is what IBM's own guides use for hardware: noise-aware layout and more gate
# cancellation than level 1, at a transpile time that stays small for typical circuits.
DEFAULT_OPTIMIZATION_LEVEL = 2
# A fixed seed: the same circuit lands on the same physical qubits in every process, so seeded
# runs repeat and a restarted worker re-derives the same layout.
DEFAULT_SEED_TRANSPILER = 1


@dataclass(frozen=True, slots=True)
class RunSettings:
    optimization_level: int = DEFAULT_OPTIMIZATION_LEVEL
    seed_transpiler: int = DEFAULT_SEED_TRANSPILER
    seed_simulator: int | None = None

    @classmethod
    def resolve(cls, options: Mapping[str, Any]) -> RunSettings:
        return cls(
            optimization_level=int(options.get("optimization_level", DEFAULT_OPTIMIZATION_LEVEL)),
            seed_transpiler=int(options.get("seed_transpiler", DEFAULT_SEED_TRANSPILER)),
            seed_simulator=options.get("seed_simulator"),
        )

    @property
    def transpile_key(self) -> tuple[int, int]:
        return (self.optimization_level, self.seed_transpiler)
