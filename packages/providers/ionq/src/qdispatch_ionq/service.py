"""cirq-ionq's `Service`, built fresh for each call from the job's credentials, and its
exceptions turned into messages a user can act on (never containing the key).

A fresh Service per call is cheap (no network) and is what a restarted worker has anyway, so
the normal path and the re-attach path are the same path.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from qdispatch_core.errors import ProviderError
from qdispatch_ionq.api import NotFoundAtIonQ
from qdispatch_ionq.connection import Connection
from qdispatch_ionq.sdk import require

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
