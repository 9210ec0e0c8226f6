"""The ports a use case needs, handed in by the composition root (or by tests, with fakes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from qdispatch_core.ports import Cipher, CircuitToolkit, LocalExecutor, Repository
from qdispatch_core.registry import BackendRegistry


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Limits:
    name_max: int = 200
    description_max: int = 1024
    list_max: int = 1000
    # Memory a local simulation may use; a StatevectorRun needing more is refused with the figure.
    simulation_memory_bytes: int = 8 * 1024**3
    # Simulators need working memory beyond the state itself (copies, buffers).
    statevector_headroom: float = 2.0


@dataclass(frozen=True, slots=True)
class Services:
    repository: Repository
    backends: BackendRegistry
    circuits: CircuitToolkit
    cipher: Cipher
    clock: Callable[[], datetime] = utcnow
    limits: Limits = field(default_factory=Limits)
    # Where local simulations run. None: in threads of this process (tests, fakes); the app
    # wires its pool of child processes.
    executor: LocalExecutor | None = None
