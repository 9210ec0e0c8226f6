"""IBM Quantum prices, and the quantum seconds a job will use.

IBM bills the time a QPU is locked for a job ("quantum seconds", `usage` in the job's metrics).
Before submission we estimate it from what the QPU will do: every PUB runs `shots` times per
parameter set, and each execution takes the circuit's scheduled duration (from the target's
instruction durations) plus the backend's repetition delay; a fixed allowance covers loading
the job and returning results:

    quantum_seconds ≈ JOB_OVERHEAD_S + Σ_pubs shots · sets · (duration_s + rep_delay_s)

An Estimator job (observables on a cloud QPU) chooses its circuits itself: its PUBs are counted
as the qubit-wise-commuting groups qdispatch would measure, plus what its mitigation adds
(planning.estimator_timings).

The actual cost comes from the job's reported usage once it has run. Fake backends run here
and cost nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qdispatch_core.domain import Cost, Pricing

# Pay-As-You-Go plan: USD 96 per minute of QPU usage, i.e. 1.60 per second.
USD_PER_QUANTUM_SECOND = 1.60
PRICE_AS_OF = "2026-11-24"
PRICE_SOURCE = "https://www.ibm.com/quantum/pricing"

# Loading, compilation on the control system and result transfer, per job. IBM's usage guide
# (quantum.cloud.ibm.com/docs/guides/estimate-job-run-time) shows a Bell-pair Sampler job at
# the default shots estimated at 4.1 quantum seconds, of which shots × (duration + rep_delay)
# explain about 1 s.
JOB_OVERHEAD_S = 3.0

# Used when a backend publishes no default repetition delay (most IBM systems use 250 µs).
FALLBACK_REP_DELAY_S = 250e-6

PRICING = Pricing(
    basis=(
        f"Pay-As-You-Go: USD {USD_PER_QUANTUM_SECOND:.2f} per second of QPU usage (quantum "
        f"seconds). Estimated as {JOB_OVERHEAD_S:g} s per job plus shots × parameter sets × "
        "(scheduled circuit duration + repetition delay) per PUB. Observables run on IBM's "
        "Estimator, which groups them itself: estimated per qubit-wise-commuting group "
        "qdispatch would measure, three times over at resilience_level 2 (zero-noise "
        "extrapolation), plus about shots executions of TREX readout learning under "
        "use_mitigation. Charged from the job's reported usage."
    ),
    unit="s",
    as_of=PRICE_AS_OF,
    source=PRICE_SOURCE,
)


@dataclass(frozen=True, slots=True)
class PubTiming:
    """One PUB as the QPU runs it."""

    executions: int  # shots × parameter sets
    duration_s: float  # scheduled duration of one execution


def quantum_seconds(pubs: Sequence[PubTiming], rep_delay_s: float | None) -> float:
    delay = rep_delay_s if rep_delay_s is not None else FALLBACK_REP_DELAY_S
    return JOB_OVERHEAD_S + sum(p.executions * (p.duration_s + delay) for p in pubs)


def usd(seconds: float) -> float:
    return round(seconds * USD_PER_QUANTUM_SECOND, 6)


def qpu_cost(seconds: float) -> Cost:
    return Cost.priced(round(seconds, 6), "s", usd(seconds))


def local_cost(total_shots: int) -> Cost:
    return Cost.free("shots", total_shots)
