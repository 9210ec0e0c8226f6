"""What the composition root tells every backend: one value, built once from qdispatch's
settings and handed to each backend factory and device catalog.

Providers read none of qdispatch's own environment variables: a budget changed here is what
every backend advertises (its simulators' qubit counts) and enforces (its memory checks), and
what the core refuses by, since the app builds both from the same settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

GIB = 1024**3
DEFAULT_SIMULATION_MEMORY_BYTES = 8 * GIB
DEFAULT_MPS_BOND_DIMENSION = 256


@dataclass(frozen=True)
class BackendSettings:
    """`simulation_memory_bytes`: what one local simulation may use (its dense state plus
    working memory). `mps_max_bond_dimension`: the bound on matrix-product-state runs.
    `cache_dir`: where providers keep files they may rebuild (None: the user cache directory).
    `ionq_host`: IonQ's API address (None: the vendor's variables, else the public API).
    `small_simulation_threads`: the CPU threads a small local simulation (one whose gates no
    simulator parallelises) may use unless its job says otherwise; 0: the simulator's own
    default (every core). Simulation processes run side by side, so a fair share of the
    cores each keeps their thread pools from spinning against each other."""

    simulation_memory_bytes: int = DEFAULT_SIMULATION_MEMORY_BYTES
    mps_max_bond_dimension: int = DEFAULT_MPS_BOND_DIMENSION
    cache_dir: Path | None = None
    ionq_host: str | None = None
    small_simulation_threads: int = 0

    def __post_init__(self) -> None:
        if self.small_simulation_threads < 0:
            raise ValueError(
                "small_simulation_threads must be 0 (no bound) or positive, got "
                f"{self.small_simulation_threads}"
            )
        if self.simulation_memory_bytes <= 0:
            raise ValueError(
                f"simulation_memory_bytes must be positive, got {self.simulation_memory_bytes}"
            )
        if self.mps_max_bond_dimension < 1:
            raise ValueError(
                f"mps_max_bond_dimension must be at least 1, got {self.mps_max_bond_dimension}"
            )
