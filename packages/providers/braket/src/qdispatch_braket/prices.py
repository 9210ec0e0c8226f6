"""Amazon Braket prices, read from the AWS pricing page on the date below.

QPUs bill a per-task fee plus a per-shot fee (a program set is one task however many circuits
it holds); the managed simulators bill simulated time per task, by the millisecond with a
3-second minimum; the local simulators are free. Devices whose price we could not read get
`pricing_available: false` with the reason: qdispatch never guesses a price.
"""

from __future__ import annotations

PRICES_AS_OF = "2026-11-24"
PRICING_URL = "https://aws.amazon.com/braket/pricing/"

PER_TASK_USD = 0.30
MINIMUM_BILLED_SECONDS = 3.0

# Per-shot prices by the ARN's "<vendor>/<name>" tail (QPU families on the pricing page).
PER_SHOT_USD: dict[str, float] = {
    "ionq/Forte-1": 0.08,  # IonQ Forte
    "ionq/Forte-Enterprise-1": 0.08,  # IonQ Forte
    "iqm/Garnet": 0.00145,  # IQM Garnet
    "rigetti/Ankaa-3": 0.0009,  # Rigetti Ankaa (retired in the SDK's device list)
}

# Managed simulators, per minute of simulated time.
PER_MINUTE_USD: dict[str, float] = {
    "amazon/sv1": 0.075,
    "amazon/dm1": 0.075,
    "amazon/tn1": 0.275,  # retired in the SDK's device list
}

UNPRICED_REASON = (
    "the per-shot price of {name} was not on the Amazon Braket pricing page when qdispatch's "
    f"price table was read ({PRICES_AS_OF}); see {PRICING_URL}"
)


def per_shot(key: str) -> float | None:
    return PER_SHOT_USD.get(key)


def per_minute(key: str) -> float | None:
    return PER_MINUTE_USD.get(key)


def qpu_usd(key: str, tasks: int, shots: int) -> float | None:
    price = per_shot(key)
    if price is None:
        return None
    return round(tasks * PER_TASK_USD + shots * price, 6)


def billed_seconds(seconds: float) -> float:
    return max(MINIMUM_BILLED_SECONDS, seconds)


def simulator_usd(key: str, task_seconds: list[float]) -> float | None:
    price = per_minute(key)
    if price is None:
        return None
    return round(sum(billed_seconds(s) for s in task_seconds) / 60 * price, 6)
