"""Amazon Braket's prices, and the cost a job's tasks and shots will have.

Amazon Braket prices, read from the AWS pricing page on the date below.

QPUs bill a per-task fee plus a per-shot fee (a program set is one task however many circuits
it holds); the managed simulators bill simulated time per task, by the millisecond with a
3-second minimum; the local simulators are free. Devices whose price we could not read get
`pricing_available: false` with the reason: qdispatch never guesses a price.

Cost estimates from the tasks and shots a job will really create (batches.py decides
program sets versus one task per executable, and adds calibration circuits).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from qdispatch_braket.catalog import arn_key
from qdispatch_core.domain import Cost

if TYPE_CHECKING:  # devices.py reads the price table: importing it back would be a cycle
    from qdispatch_braket.devices import Capabilities
    from qdispatch_braket.mitigation import Decision
    from qdispatch_core.ports.backend import JobSpec  # annotations: devices needs no port

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


# Simulated amplitude (or density-matrix entry) updates per second assumed for the managed
# simulators. AWS quotes 1-2 hours for a dense 34-qubit, depth-34 circuit on SV1; this rate
# makes that about 3 hours, so estimates err on the expensive side.
UPDATES_PER_SECOND = 1e9


def simulated_seconds(qubits: int, gates: int, density_matrix: bool) -> float:
    """A conservative guess at one task's simulated time (the 3-second minimum applies)."""
    size = 4**qubits if density_matrix else 2**qubits
    return size * (gates + qubits) / UPDATES_PER_SECOND


def _simulator_cost(facts: Mapping[str, Any], spec: JobSpec) -> Cost:
    key = arn_key(facts["arn"])
    density = key.endswith("dm1")
    seconds = []
    for e in spec.plan.executables:  # the managed simulators run one executable per task
        analytics = spec.circuits[e.circuit].analytics
        seconds.append(
            billed_seconds(simulated_seconds(analytics.qubits, analytics.gates_total, density))
        )
    usd = simulator_usd(key, seconds)
    if usd is None:
        return Cost.unavailable(UNPRICED_REASON.format(name=facts["name"]))
    return Cost.priced(round(sum(seconds), 3), "s", usd)


def estimate(
    facts: Mapping[str, Any], caps: Capabilities, spec: JobSpec, decision: Decision
) -> Cost:
    if facts["simulator"]:
        return _simulator_cost(facts, spec)
    # Imported here: batches imports devices, which imports this module for the price table.
    from qdispatch_braket.batches import estimated_shapes

    shapes = estimated_shapes(spec, caps, decision)
    shots = spec.shots * sum(s.executables for s in shapes)
    usd = qpu_usd(arn_key(facts["arn"]), len(shapes), shots)
    if usd is None:
        return Cost.unavailable(UNPRICED_REASON.format(name=facts["name"]))
    return Cost.priced(shots, "shots", usd)
