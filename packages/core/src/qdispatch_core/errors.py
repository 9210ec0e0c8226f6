"""Errors that carry the run contract's codes.

Every door turns these into its own form: an MCP tool error whose text starts with the code,
a CLI message on stderr with exit code 1, or the exception itself for library callers.
"""

from __future__ import annotations


class QDispatchError(Exception):
    """A request qdispatch refuses, with the HTTP-like code of the run contract."""

    code: int = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


class BadRequest(QDispatchError):
    """400: the request is malformed or cannot run as asked; the message says what to change."""

    code = 400


class Unauthorized(QDispatchError):
    """401: no API key, or one that matches no user."""

    code = 401


class PaymentRequired(QDispatchError):
    """402: the caller's balance does not cover the job's estimated cost."""

    code = 402


class NotFound(QDispatchError):
    """404: the thing does not exist, or belongs to another user (the two read the same)."""

    code = 404


class Conflict(QDispatchError):
    """409: the request clashes with the current state (e.g. a final job asked to change)."""

    code = 409


class Busy(QDispatchError):
    """503: the store stayed busy (another process held its write lock) for longer than its
    timeout; nothing was written, and the same request may simply be sent again."""

    code = 503


class BackendUnavailable(QDispatchError):
    """A backend is not installed or failed to load; the message names the package to install."""

    code = 404


class ProviderError(Exception):
    """A provider failed while executing a job. Ends the job in Error with this message.

    Not a request error: the request was valid, the execution went wrong. The message must be
    something a user can act on and must never contain a credential.
    """


class ProviderUnavailable(ProviderError):
    """The provider could not be reached just now (network, rate limit, 5xx). The worker keeps
    the job and asks again, for a while, before giving up with this message."""


class UnknownProviderState(ProviderError):
    """A provider reported a state missing from that provider's status table."""


class LeaseLost(Exception):
    """A worker tried to write a job whose lease it no longer holds (another worker took over,
    or the job became final). The worker must stop touching that job."""
