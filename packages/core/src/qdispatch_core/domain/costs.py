"""Cost figures in the run contract's format (§8)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Cost:
    """An amount in the provider's own unit and in USD, or the reason no honest figure exists."""

    native_amount: float | None
    native_unit: str | None
    usd: float | None
    reason: str | None = None

    @classmethod
    def priced(cls, native_amount: float, native_unit: str, usd: float) -> Cost:
        return cls(float(native_amount), native_unit, float(usd))

    @classmethod
    def free(cls, native_unit: str = "shots", native_amount: float = 0.0) -> Cost:
        return cls(float(native_amount), native_unit, 0.0)

    @classmethod
    def unavailable(cls, reason: str) -> Cost:
        return cls(None, None, None, reason)

    @property
    def pricing_available(self) -> bool:
        return self.usd is not None

    @property
    def billable_usd(self) -> float:
        """What billing reserves or charges: nothing when no price is known (see decisions.md)."""
        return self.usd if self.usd is not None else 0.0

    def to_dict(self) -> dict[str, Any]:
        if not self.pricing_available:
            return {"pricing_available": False, "reason": self.reason or "no price is known"}
        return {
            "native": {"amount": self.native_amount, "unit": self.native_unit},
            "converted": {"amount": self.usd, "unit": "USD"},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cost:
        if data.get("pricing_available") is False:
            return cls.unavailable(str(data.get("reason", "")))
        return cls.priced(
            data["native"]["amount"], data["native"]["unit"], data["converted"]["amount"]
        )
