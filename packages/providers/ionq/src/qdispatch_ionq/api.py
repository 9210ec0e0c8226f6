"""The IonQ v0.4 reads that cirq-ionq does not offer, or offers only in a way a restarted
worker cannot use, over plain HTTP with the same authentication.

- Job status and failure details: cirq's `Job` exposes `failure.error` only inside an
  exception's text.
- Results: cirq's client picks the single or multi-circuit results URL from a flag set by the
  last job *created* on that client, so a fresh client cannot read a multi-circuit job's results.
- Cost (`/jobs/{id}/cost`), estimates (`/jobs/estimate`) and backends (`/backends`) are not in
  the client at all.

Retries follow cirq-ionq's rules (429, 5xx, 520-529 and 409 on reads, with doubling delays) but
are bounded by the connection's `max_retry_seconds`, so a worker never hangs for cirq's hour.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from qdispatch_core.errors import ProviderError
from qdispatch_ionq.connection import Connection

log = logging.getLogger(__name__)

RETRIABLE = frozenset({409, 429, 500, 502, 503, *range(520, 530)})
FIRST_DELAY = 0.1


class NotFoundAtIonQ(ProviderError):
    """IonQ answered 404: no such job (or it belongs to another account)."""


def _reason(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, dict):
        body = body.get("message") or body.get("error") or body
    return str(body)[:300]


def _json(response: Any, path: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ProviderError(f"IonQ answered GET {path} with something that is not JSON") from None


class IonQApi:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"apiKey {self.connection.key}", "Accept": "application/json"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        import requests  # cirq-ionq's HTTP library: imported with the SDK, when work comes

        url = f"{self.connection.base_url}{path}"
        delay, waited = FIRST_DELAY, 0.0
        while True:
            try:
                response = requests.get(
                    url, params=params, headers=self._headers(), timeout=self.connection.timeout
                )
            except requests.RequestException as exc:
                problem = f"cannot reach IonQ at {self.connection.host} ({type(exc).__name__})"
            else:
                if response.ok:
                    return _json(response, path)
                self._raise_unless_retriable(response, path)
                problem = f"IonQ answered {response.status_code} {response.reason}"
            if waited + delay > self.connection.max_retry_seconds:
                raise ProviderError(
                    f"{problem} for {self.connection.max_retry_seconds} s; try again later"
                )
            log.debug("IonQ GET %s: %s; retrying in %.1f s", path, problem, delay)
            time.sleep(delay)
            waited += delay
            delay *= 2

    def _raise_unless_retriable(self, response: Any, path: str) -> None:
        code = response.status_code
        if code in RETRIABLE:
            return
        if code == 401:
            raise ProviderError(
                "IonQ refused the API key (401 Not authorized): check options['ionq_api_key'] "
                "or IONQ_API_KEY"
            )
        if code == 404:
            raise NotFoundAtIonQ(f"IonQ has no {path} (404): {_reason(response)}")
        raise ProviderError(f"IonQ answered {code} to GET {path}: {_reason(response)}")

    # -- the endpoints ----------------------------------------------------------------------

    def job(self, job_id: str) -> dict[str, Any]:
        return self.get(f"/jobs/{job_id}")

    def probabilities(self, job_id: str, *, multi: bool, sharpen: bool | None) -> dict[str, Any]:
        path = f"/jobs/{job_id}/results/probabilities" + ("/aggregated" if multi else "")
        params = {"sharpen": "true" if sharpen else "false"} if sharpen is not None else None
        return self.get(path, params)

    def cost(self, job_id: str) -> dict[str, Any]:
        return self.get(f"/jobs/{job_id}/cost")

    def estimate(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.get("/jobs/estimate", params)

    def backends(self) -> list[dict[str, Any]]:
        answer = self.get("/backends")
        return answer if isinstance(answer, list) else list(answer.get("backends", []))
