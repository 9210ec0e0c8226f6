"""Cost estimates from the tasks and shots a job will really create (workload.py decides
program sets versus one task per executable, and adds calibration circuits)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qdispatch_braket import prices
from qdispatch_braket.capabilities import Capabilities
from qdispatch_braket.catalog import arn_key
from qdispatch_braket.mitigation import Decision
from qdispatch_braket.workload import estimated_shapes
from qdispatch_core.domain import Cost
from qdispatch_core.ports.backend import JobSpec

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
            prices.billed_seconds(
                simulated_seconds(analytics.qubits, analytics.gates_total, density)
            )
        )
    usd = prices.simulator_usd(key, seconds)
    if usd is None:
        return Cost.unavailable(prices.UNPRICED_REASON.format(name=facts["name"]))
    return Cost.priced(round(sum(seconds), 3), "s", usd)


def estimate(
    facts: Mapping[str, Any], caps: Capabilities, spec: JobSpec, decision: Decision
) -> Cost:
    if facts["simulator"]:
        return _simulator_cost(facts, spec)
    shapes = estimated_shapes(spec, caps, decision)
    shots = spec.shots * sum(s.executables for s in shapes)
    usd = prices.qpu_usd(arn_key(facts["arn"]), len(shapes), shots)
    if usd is None:
        return Cost.unavailable(prices.UNPRICED_REASON.format(name=facts["name"]))
    return Cost.priced(shots, "shots", usd)
