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
# The Estimator's level under use_mitigation: 1 is TREX (twirled readout error extinction), the
# mitigation the issue asks for and the cheapest IBM offers; 2 adds zero-noise extrapolation.
DEFAULT_RESILIENCE_LEVEL = 1


@dataclass(frozen=True, slots=True)
class RunSettings:
    optimization_level: int = DEFAULT_OPTIMIZATION_LEVEL
    seed_transpiler: int = DEFAULT_SEED_TRANSPILER
    seed_simulator: int | None = None
    resilience_level: int | None = None  # as given; see estimator_level

    @classmethod
    def resolve(cls, options: Mapping[str, Any]) -> RunSettings:
        return cls(
            optimization_level=int(options.get("optimization_level", DEFAULT_OPTIMIZATION_LEVEL)),
            seed_transpiler=int(options.get("seed_transpiler", DEFAULT_SEED_TRANSPILER)),
            seed_simulator=options.get("seed_simulator"),
            resilience_level=options.get("resilience_level"),
        )

    def estimator_level(self, use_mitigation: bool) -> int:
        """The `resilience_level` an Estimator job runs at: 0 (no mitigation: IBM's default
        would be 1) unless `use_mitigation` asks for some, then the option or the default."""
        if not use_mitigation:
            return 0
        if self.resilience_level is None:
            return DEFAULT_RESILIENCE_LEVEL
        return int(self.resilience_level)

    @property
    def transpile_key(self) -> tuple[int, int]:
        return (self.optimization_level, self.seed_transpiler)
