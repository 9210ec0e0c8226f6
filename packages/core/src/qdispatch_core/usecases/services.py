"""The ports a use case needs, handed in by the composition root (or by tests, with fakes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from qdispatch_core.ports import Cipher, CircuitToolkit, LocalExecutor, Repository
from qdispatch_core.registry import BackendRegistry
from qdispatch_core.rules.limits import MIB, CircuitLimits


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
    # What one request may ask for, each checked before the step it protects (rules/limits.py,
    # docs/security.md; QDISPATCH_LIMIT_<NAME> settings).
    circuit: CircuitLimits = field(default_factory=CircuitLimits)
    circuits: int = 1000  # circuits per request, stored and inline together
    request_bytes: int = 8 * MIB  # OpenQASM source per request; OpenQASM 3 counts 16×
    pauli_characters: int = 4_000_000  # Pauli terms × qubits, all observables of a request
    parameter_sets: int = 100_000  # all circuits together
    executables: int = 100_000  # circuits × measurement groups × parameter sets
    shots: int = 1_000_000_000  # shots × executables
    result_bytes: int = 64 * MIB  # the results' size, estimated before anything runs


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
