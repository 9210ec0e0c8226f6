"""What a job will cost (before) and did cost (after), in gate-shots and USD.

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

from qdispatch_core.domain import Cost
from qdispatch_ionq.api import IonQApi
from qdispatch_ionq.connection import Connection, api_key
from qdispatch_ionq.pricing import (
    NATIVE_UNIT,
    PUBLISHED,
    CircuitSize,
    Rates,
    price,
    rates_from_estimate,
)

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
