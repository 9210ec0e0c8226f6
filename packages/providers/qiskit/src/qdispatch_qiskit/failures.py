"""A simulator's own exceptions as the job's message: what the local paths of every provider
share (imports only the core)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from qdispatch_core.errors import ProviderError, QDispatchError


@contextmanager
def simulation_failures(failure: str) -> Iterator[None]:
    """Re-raise any exception that is not one of qdispatch's own as a ProviderError saying
    `{failure} (ExceptionType): message`, which ends the job in Error with that message."""
    try:
        yield
    except (ProviderError, QDispatchError, MemoryError):
        raise
    except Exception as exc:
        raise ProviderError(f"{failure} ({type(exc).__name__}): {exc}") from exc
