"""IonQ's client side (the provider's session role): where IonQ is and which key we use, the
v0.4 HTTP reads cirq-ionq lacks, and cirq-ionq's `Service` with its errors made readable.

Where IonQ is and who we are there: the API key and the remote host.

The key comes from the job's credentials (`ionq_api_key`) or, as cirq-ionq itself does, from
the environment (CIRQ_IONQ_API_KEY, then IONQ_API_KEY). The host is configurable so tests can
aim the real client at a local server: constructor argument, then the settings' `ionq_host`
(QDISPATCH_IONQ_HOST, read by the app), then cirq-ionq's own variables, then IonQ's cloud.
The key is never logged or put in a message.

The IonQ v0.4 reads that cirq-ionq does not offer, or offers only in a way a restarted
worker cannot use, over plain HTTP with the same authentication.

- Job status and failure details: cirq's `Job` exposes `failure.error` only inside an
  exception's text.
- Results: cirq's client picks the single or multi-circuit results URL from a flag set by the
  last job *created* on that client, so a fresh client cannot read a multi-circuit job's results.
- Cost (`/jobs/{id}/cost`), estimates (`/jobs/estimate`) and backends (`/backends`) are not in
  the client at all.

Retries follow cirq-ionq's rules (429, 5xx, 520-529 and 409 on reads, with doubling delays) but
are bounded by the connection's `max_retry_seconds`, so a worker never hangs for cirq's hour.

cirq-ionq's `Service`, built fresh for each call from the job's credentials, and its
exceptions turned into messages a user can act on (never containing the key).

A fresh Service per call is cheap (no network) and is what a restarted worker has anyway, so
the normal path and the re-attach path are the same path.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from qdispatch_core.errors import ProviderError
from qdispatch_ionq.sdk import require

KEY_OPTION = "ionq_api_key"
KEY_ENVIRONMENT = ("CIRQ_IONQ_API_KEY", "IONQ_API_KEY")
HOST_ENVIRONMENT = ("CIRQ_IONQ_REMOTE_HOST", "IONQ_REMOTE_HOST")  # the vendor's own
DEFAULT_HOST = "https://api.ionq.co"
API_VERSION = "v0.4"


def api_key(credentials: Mapping[str, str] | None) -> str | None:
    """The key from the job's credentials, else from cirq-ionq's environment variables."""
    given = (credentials or {}).get(KEY_OPTION)
    if given:
        return given
    return next((os.environ[v] for v in KEY_ENVIRONMENT if os.environ.get(v)), None)


def remote_host(configured: str | None = None) -> str:
    """scheme://host[:port] of IonQ's API; any path is dropped, as cirq-ionq drops it."""
    raw = configured or next(
        (os.environ[v] for v in HOST_ENVIRONMENT if os.environ.get(v)), DEFAULT_HOST
    )
    url = urlparse(raw)
    if not (url.scheme and url.netloc):
        raise ValueError(f"IonQ remote host {raw!r} is not a URL like https://api.ionq.co")
    return f"{url.scheme}://{url.netloc}"


@dataclass(frozen=True, slots=True)
class Connection:
    host: str
    key: str = field(repr=False)  # never printed, not even in a traceback's locals repr
    max_retry_seconds: int = 30
    timeout: float = 30.0

    @property
    def base_url(self) -> str:
        return f"{self.host}/{API_VERSION}"

    @property
    def fingerprint(self) -> str:
        """Identifies the account in caches without keeping the key around in plain text."""
        import hashlib  # loads OpenSSL: not for `qdispatch devices`, which fingerprints nothing

        return hashlib.sha256(f"{self.host}|{self.key}".encode()).hexdigest()[:16]

    @classmethod
    def open(
        cls,
        credentials: Mapping[str, str] | None,
        host: str,
        *,
        max_retry_seconds: int = 30,
        timeout: float = 30.0,
    ) -> Connection:
        key = api_key(credentials)
        if not key:
            raise ProviderError(
                f"no IonQ API key: pass options {{'{KEY_OPTION}': ...}} or set IONQ_API_KEY"
            )
        return cls(host, key, max_retry_seconds, timeout)


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


_MESSAGE_LIMIT = 400
_REQUEST_BODY = re.compile(r"Request Body: .*? Response Body: ", re.DOTALL)


def open_service(connection: Connection) -> Any:
    cirq_ionq = require("cirq_ionq")
    return cirq_ionq.Service(
        remote_host=connection.host,
        api_key=connection.key,
        max_retry_seconds=connection.max_retry_seconds,
    )


def _short(text: str) -> str:
    """cirq-ionq puts the whole request body (the circuit) before IonQ's answer in its
    messages; keep the answer."""
    text = _REQUEST_BODY.sub("IonQ answered ", text)
    return text if len(text) <= _MESSAGE_LIMIT else text[:_MESSAGE_LIMIT] + " …"


@contextlib.contextmanager
def ionq_errors(action: str, connection: Connection) -> Iterator[None]:
    """Translate what cirq-ionq raises while doing `action` into ProviderError."""
    cirq_ionq = require("cirq_ionq")
    try:
        yield
    except ProviderError:
        raise
    except cirq_ionq.IonQNotFoundException:
        raise NotFoundAtIonQ(f"{action}: IonQ has no such job (404)") from None
    except cirq_ionq.IonQException as exc:
        if getattr(exc, "status_code", None) == 401:
            raise ProviderError(
                f"{action}: IonQ refused the API key (401 Not authorized); check "
                "options['ionq_api_key'] or IONQ_API_KEY"
            ) from None
        raise ProviderError(f"{action}: {_short(str(exc))}") from None
    except TimeoutError as exc:  # cirq-ionq's retries ran out
        raise ProviderError(
            f"{action}: IonQ at {connection.host} did not answer within "
            f"{connection.max_retry_seconds} s ({exc}); try again later"
        ) from None
    except ValueError as exc:  # the serializer refused a circuit
        raise ProviderError(
            f"{action}: cirq-ionq cannot send the circuit: {_short(str(exc))}"
        ) from None
