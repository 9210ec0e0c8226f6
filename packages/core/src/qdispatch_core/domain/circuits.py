from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class CircuitAnalytics:
    """Facts about a circuit computed once, when it is stored (run contract §1)."""

    qubits: int
    clbits: int
    num_parameters: int
    parameter_names: tuple[str, ...]  # binding order: Qiskit's, sorted by name (theta10 < theta2)
    depth: int
    depth_2q: int
    gates_1q: int
    gates_2q: int
    gates_total: int
    operations: dict[str, int] = field(default_factory=dict)
    has_measurements: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "qubits": self.qubits,
            "clbits": self.clbits,
            "num_parameters": self.num_parameters,
            "parameter_names": list(self.parameter_names),
            "depth": self.depth,
            "depth_2q": self.depth_2q,
            "gates_1q": self.gates_1q,
            "gates_2q": self.gates_2q,
            "gates_total": self.gates_total,
            "operations": dict(self.operations),
            "has_measurements": self.has_measurements,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CircuitAnalytics:
        return cls(
            qubits=int(data["qubits"]),
            clbits=int(data["clbits"]),
            num_parameters=int(data["num_parameters"]),
            parameter_names=tuple(data["parameter_names"]),
            depth=int(data["depth"]),
            depth_2q=int(data["depth_2q"]),
            gates_1q=int(data["gates_1q"]),
            gates_2q=int(data["gates_2q"]),
            gates_total=int(data["gates_total"]),
            operations={str(k): int(v) for k, v in data["operations"].items()},
            has_measurements=bool(data["has_measurements"]),
        )


@dataclass(frozen=True, slots=True)
class ParsedCircuit:
    """What the circuit port learns from QASM text, before anything is stored."""

    qasm_version: int  # 2 or 3
    analytics: CircuitAnalytics


@dataclass(frozen=True, slots=True)
class Circuit:
    id: str
    owner_id: str
    experiment_id: str
    name: str
    description: str
    qasm: str
    qasm_version: int
    content_hash: str
    analytics: CircuitAnalytics
    created_at: datetime
