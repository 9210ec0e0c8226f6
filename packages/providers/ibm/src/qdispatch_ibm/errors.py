"""Runtime exceptions into ProviderError messages a user can act on.

The runtime's exceptions derive from QiskitError, whose `str()` is the repr of its message, and
its HTTP errors carry the whole response text; we keep the message, add what to do, and make sure
no credential value survives in it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from qdispatch_core.errors import ProviderError, QDispatchError

AUTH_HINT = (
    "IBM Quantum rejected the credentials; check ibm_quantum_token (an IBM Cloud API key) and "
    "ibm_quantum_instance (the instance CRN or name), or the account saved for qiskit-ibm-runtime"
)
_AUTH_NAMES = {"IBMNotAuthorizedError", "InvalidAccountError", "AccountNotFoundError"}
_AUTH_CODES = {400, 401, 403}  # IAM answers 400 to an unknown API key


def _message(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())  # one line: HTTP errors embed whole responses


def _status_code(exc: BaseException) -> int | None:
    for attr in ("status_code", "code", "http_status"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    return None


def _is_auth_failure(exc: BaseException) -> bool:
    if type(exc).__name__ in _AUTH_NAMES:
        return True
    text = _message(exc).lower()
    code = _status_code(exc)
    if code in _AUTH_CODES and ("token" in text or "api key" in text or "iam" in text):
        return True
    return "unable to retrieve instances" in text or "invalid token" in text


def describe(exc: BaseException, action: str) -> str:
    name = type(exc).__name__
    if name == "RuntimeJobNotFound":
        return f"{action}: IBM Quantum has no such job for this account and instance"
    if name == "QiskitBackendNotFoundError":
        return (
            f"{action}: the backend is not available to this account and instance ({_message(exc)})"
        )
    if _is_auth_failure(exc):
        return f"{action}: {AUTH_HINT}"
    if name in {"ConnectionError", "Timeout", "ConnectTimeout", "ReadTimeout"}:
        return f"{action}: IBM Quantum cannot be reached ({_message(exc)}); try again later"
    return f"{action}: {_message(exc)}"


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def provider_error(
    exc: BaseException, action: str, secrets: Iterable[str | None] = ()
) -> ProviderError:
    return ProviderError(scrub(describe(exc, action), list(secrets)))


@contextlib.contextmanager
def translated(action: str, secrets: Iterable[str | None] = ()) -> Iterator[None]:
    """Turn any runtime exception raised inside into a ProviderError saying what failed.

    The original is dropped from the chain (`from None`): its text or its request may carry
    a credential, and the message already says what failed."""
    try:
        yield
    except (ProviderError, QDispatchError):
        raise
    except Exception as exc:
        raise provider_error(exc, action, secrets) from None
