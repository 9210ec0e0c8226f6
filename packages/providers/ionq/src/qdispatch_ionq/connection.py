"""Where IonQ is and who we are there: the API key and the remote host.

The key comes from the job's credentials (`ionq_api_key`) or, as cirq-ionq itself does, from
the environment (CIRQ_IONQ_API_KEY, then IONQ_API_KEY). The host is configurable so tests can
aim the real client at a local server: constructor argument, then the settings' `ionq_host`
(QDISPATCH_IONQ_HOST, read by the app), then cirq-ionq's own variables, then IonQ's cloud.
The key is never logged or put in a message.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from qdispatch_core.errors import ProviderError

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
