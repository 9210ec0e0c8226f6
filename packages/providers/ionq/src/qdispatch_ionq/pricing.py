"""IonQ prices (the published table and the account's rates) and a job's cost, estimated
before and read back after.

IonQ's prices: one dated table, the gate-shot formula, and the account's own rates when
IonQ's estimate endpoint answers.

IonQ bills a QPU circuit by its size: a minimum per circuit, or 1-qubit gate-shots times one
rate plus 2-qubit gate-shots times another, whichever is more (a gate-shot is one gate executed
once: gates × shots). Direct IonQ accounts may have their own rates; `GET /v0.4/jobs/estimate`
returns them in `rate_information` and is preferred when reachable. The simulator is free.

What a job will cost (before) and did cost (after), in gate-shots and USD.

Before: the account's rates from IonQ's estimate endpoint when an API key is available (the
job's `ionq_api_key` option first, then cirq-ionq's environment variables) and IonQ answers in
time, else the published rates in `pricing.py`; the log says which. After: IonQ's own figure
from `GET /jobs/{id}/cost`, when it reports one in USD. The simulator is free and never calls
anything.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qdispatch_core.domain import Cost, Pricing
from qdispatch_ionq.session import Connection, IonQApi, api_key

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


log = logging.getLogger(__name__)

RATES_TTL_SECONDS = 3600.0
ESTIMATE_TIMEOUT = 5.0  # a request is waiting on this answer; the table is the fallback


class CostBook:
    def __init__(self, host: str) -> None:
        self.host = host
        self._rates: dict[tuple[str, str, bool], tuple[float, Rates]] = {}
        self._lock = threading.Lock()

    def rates(
        self,
        target: str,
        debiased: bool,
        sample: CircuitSize,
        qubits: int,
        shots: int,
        credentials: Mapping[str, str] | None = None,
    ) -> Rates:
        """The account's rates, cached per account, backend and debiasing; else the table. The
        key is the job's option, else the environment's (`api_key`)."""
        key = api_key(credentials)
        if not key:
            return PUBLISHED[debiased]
        connection = Connection(self.host, key, max_retry_seconds=0, timeout=ESTIMATE_TIMEOUT)
        cache_key = (connection.fingerprint, target, debiased)
        with self._lock:
            cached = self._rates.get(cache_key)
        if cached is not None and time.monotonic() - cached[0] < RATES_TTL_SECONDS:
            return cached[1]
        live = self._ask(connection, target, debiased, sample, qubits, shots)
        if live is None:
            return PUBLISHED[debiased]
        with self._lock:
            self._rates[cache_key] = (time.monotonic(), live)
        return live

    @staticmethod
    def _ask(
        connection: Connection,
        target: str,
        debiased: bool,
        sample: CircuitSize,
        qubits: int,
        shots: int,
    ) -> Rates | None:
        params = {
            "backend": target,
            "type": "ionq.circuit.v1",
            "qubits": qubits,
            "shots": shots,
            "1q_gates": sample.gates_1q,
            "2q_gates": sample.gates_2q,
            "error_mitigation": "true" if debiased else "false",
        }
        try:
            return rates_from_estimate(IonQApi(connection).estimate(params))
        except Exception as exc:  # unreachable, refused or changed: the table still stands
            log.info("IonQ's estimate endpoint did not answer (%s); using published rates", exc)
            return None

    def estimate(
        self,
        target: str,
        debiased: bool,
        sizes: Sequence[CircuitSize],
        qubits: int,
        shots: int,
        credentials: Mapping[str, str] | None = None,
    ) -> Cost:
        if not sizes:
            return Cost.free(NATIVE_UNIT)
        rates = self.rates(target, debiased, sizes[0], qubits, shots, credentials)
        log.info("IonQ cost estimate for %s: rates from %s", target, rates.source)
        return price(sizes, shots, rates)


def actual(api: IonQApi, job_ids: Sequence[str], gate_shots: float) -> Cost | None:
    """IonQ's own cost of the job's IonQ jobs, or None when it reports none in USD."""
    total = 0.0
    for job_id in job_ids:
        try:
            answer = api.cost(job_id)
        except Exception as exc:
            log.info("IonQ reported no cost for job %s (%s)", job_id, exc)
            return None
        cost = answer.get("cost") if isinstance(answer, dict) else None
        if not isinstance(cost, dict) or str(cost.get("unit", "")).lower() != "usd":
            return None
        try:
            total += float(cost["value"])
        except (KeyError, TypeError, ValueError):
            return None
    return Cost.priced(gate_shots, NATIVE_UNIT, round(total, 6))
