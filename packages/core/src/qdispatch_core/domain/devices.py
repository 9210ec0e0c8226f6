"""Devices: what a backend offers, described well enough to validate a request against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from qdispatch_core.domain.enums import DeviceStatus, RunType

OptionKind = Literal["int", "float", "bool", "str"]


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """A runtime option a device accepts (run contract §6)."""

    name: str
    kind: OptionKind
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None

    def describe(self) -> str:
        if self.choices is not None:
            return f"{self.name} (one of {', '.join(map(repr, self.choices))})"
        if self.minimum is not None and self.maximum is not None:
            return f"{self.name} ({self.kind} {self.minimum:g}..{self.maximum:g})"
        return f"{self.name} ({self.kind})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "choices": list(self.choices) if self.choices is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Pricing:
    """How a device's cost is computed, in words and in its native unit, with the date read."""

    basis: str
    unit: str
    as_of: str
    source: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"basis": self.basis, "unit": self.unit, "as_of": self.as_of, "source": self.source}


@dataclass(frozen=True, slots=True)
class Device:
    id: str
    provider: str
    name: str
    simulator: bool
    qubits: int
    status: DeviceStatus
    run_types: tuple[RunType, ...]
    basis_gates: tuple[str, ...]
    coupling_map: tuple[tuple[int, int], ...] | None
    max_shots: int
    credential_options: tuple[str, ...] = ()
    pricing: Pricing | None = None  # None: free
    options: tuple[OptionSpec, ...] = ()
    local: bool = False  # executes on this host: nothing remote to re-attach to after a crash
    noisy: bool = False
    mitigation: str = "none"  # what use_mitigation applies on this device, in words
    description: str = ""

    def option(self, name: str) -> OptionSpec | None:
        return next((o for o in self.options if o.name == name), None)

    @property
    def needs_credentials(self) -> bool:
        return bool(self.credential_options)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "provider": self.provider,
            "name": self.name,
            "simulator": self.simulator,
            "qubits": self.qubits,
            "status": self.status.value,
            "run_types": [r.value for r in self.run_types],
            "basis_gates": list(self.basis_gates),
            "coupling_map": [list(e) for e in self.coupling_map]
            if self.coupling_map is not None
            else None,
            "max_shots": self.max_shots,
            "credential_options": list(self.credential_options),
            "pricing": self.pricing.to_dict() if self.pricing else None,
            "options": [o.to_dict() for o in self.options],
            "local": self.local,
            "noisy": self.noisy,
            "mitigation": self.mitigation,
            "description": self.description,
        }
