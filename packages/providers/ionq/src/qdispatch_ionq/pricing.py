"""IonQ's prices: one dated table, the gate-shot formula, and the account's own rates when
IonQ's estimate endpoint answers.

IonQ bills a QPU circuit by its size: a minimum per circuit, or 1-qubit gate-shots times one
rate plus 2-qubit gate-shots times another, whichever is more (a gate-shot is one gate executed
once: gates × shots). Direct IonQ accounts may have their own rates; `GET /v0.4/jobs/estimate`
returns them in `rate_information` and is preferred when reachable. The simulator is free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qdispatch_core.domain import Cost, Pricing

NATIVE_UNIT = "gate-shots"


@dataclass(frozen=True, slots=True)
class Rates:
    """USD per 1-qubit gate-shot and per 2-qubit gate-shot, and the minimum per circuit."""

    per_1q_gate_shot: float
    per_2q_gate_shot: float
    minimum: float
    source: str

    def circuit_cost(self, gates_1q: int, gates_2q: int, shots: int) -> float:
        size = self.per_1q_gate_shot * gates_1q * shots + self.per_2q_gate_shot * gates_2q * shots
        return max(self.minimum, size)


# Published list prices, read 2026-11-24 from Azure Quantum's pricing page for IonQ (revision
# dated 2024-12-05): AQT = m + 0.000220·(N1q·C) + 0.000975·(N2q·C), m = USD 97.50 with error
# mitigation on and USD 12.4166 with it off. IonQ publishes no list price for direct access
# ("rates vary with your access agreement", docs.ionq.com/guides/job-cost-and-usage), so these
# are the only public per-gate-shot figures. We charge the larger of the minimum and the
# gate-shot sum, as IonQ's own estimate endpoint describes its rate_information.
PRICES_AS_OF = "2024-12-05"
PRICES_READ = "2026-11-24"
PRICE_SOURCE = "https://learn.microsoft.com/azure/quantum/pricing#ionq"
PUBLISHED = {
    False: Rates(0.000220, 0.000975, 12.4166, f"published list price ({PRICE_SOURCE})"),
    True: Rates(0.000220, 0.000975, 97.50, f"published list price ({PRICE_SOURCE})"),
}


def device_pricing() -> Pricing:
    return Pricing(
        basis=(
            "per circuit: the larger of a minimum (USD 12.42, or USD 97.50 with debiasing) and "
            "USD 0.000220 per 1-qubit gate-shot + USD 0.000975 per 2-qubit gate-shot, counted "
            "on the circuit as compiled for IonQ; the account's own rates from IonQ's estimate "
            "endpoint when an API key is available"
        ),
        unit=NATIVE_UNIT,
        as_of=PRICES_AS_OF,
        source=PRICE_SOURCE,
    )


@dataclass(frozen=True, slots=True)
class CircuitSize:
    gates_1q: int
    gates_2q: int


def price(sizes: Sequence[CircuitSize], shots: int, rates: Rates) -> Cost:
    """The cost of running each circuit `shots` times: the minimum applies per circuit (each
    circuit of a multi-circuit job is billed as a job of its own; the cautious reading)."""
    gate_shots = sum((s.gates_1q + s.gates_2q) * shots for s in sizes)
    usd = sum(rates.circuit_cost(s.gates_1q, s.gates_2q, shots) for s in sizes)
    return Cost.priced(gate_shots, NATIVE_UNIT, round(usd, 6))


def rates_from_estimate(answer: Mapping[str, Any]) -> Rates | None:
    """The account's rates from a `GET /jobs/estimate` answer, or None when it is not in USD
    (some organisations are billed in credits, which have no fixed dollar value)."""
    unit = str(answer.get("cost_unit", "")).lower()
    info = answer.get("rate_information")
    if unit not in ("usd", "$") or not isinstance(info, Mapping):
        return None
    try:
        return Rates(
            float(info["cost_1q_gate"]),
            float(info["cost_2q_gate"]),
            float(info["job_cost_minimum"]),
            "IonQ's estimate endpoint (this account's rates)",
        )
    except (KeyError, TypeError, ValueError):
        return None
