"""A job's runtime options (already validated against the device's OptionSpecs), resolved."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qdispatch_ionq.devices import NOISE_MODEL_TARGETS, TARGET_QUBITS

DEFAULT_OPTIMIZATION_LEVEL = 1  # merges single-qubit runs; keeps qubits in place


@dataclass(frozen=True, slots=True)
class RunSettings:
    optimization_level: int = DEFAULT_OPTIMIZATION_LEVEL
    seed_transpiler: int | None = None
    noise_model: str | None = None  # simulator only; None and "ideal" are noiseless
    seed_simulator: int | None = None

    @classmethod
    def resolve(cls, options: Mapping[str, Any]) -> RunSettings:
        return cls(
            optimization_level=int(options.get("optimization_level", DEFAULT_OPTIMIZATION_LEVEL)),
            seed_transpiler=options.get("seed_transpiler"),
            noise_model=options.get("noise_model"),
            seed_simulator=options.get("seed_simulator"),
        )

    @property
    def noisy_simulation(self) -> bool:
        return self.noise_model not in (None, "ideal")

    @property
    def transpile_key(self) -> tuple[int, int | None]:
        return (self.optimization_level, self.seed_transpiler)

    def simulator_qubits(self) -> int:
        """A noisy simulation inherits the qubit limit of the QPU it models."""
        return TARGET_QUBITS[NOISE_MODEL_TARGETS.get(self.noise_model or "ideal", "simulator")]

    def noise(self) -> dict[str, Any] | None:
        """The create-job `noise` field: only when a model was asked for."""
        if self.noise_model is None:
            return None
        noise: dict[str, Any] = {"model": self.noise_model}
        if self.seed_simulator is not None:
            noise["seed"] = self.seed_simulator
        return noise


def sampling_seed(base: int | str, executable: int) -> int:
    """The seed for sampling one executable's shots from exact probabilities: derived from the
    job's seed_simulator (or IonQ's job id), so a re-fetch gives the same counts."""
    digest = hashlib.sha256(f"{base}:{executable}".encode()).digest()
    return int.from_bytes(digest[:8], "big")
