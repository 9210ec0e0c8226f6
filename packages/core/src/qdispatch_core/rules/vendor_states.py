"""A vendor's job states onto qdispatch's, through one explicit table per vendor.

Every provider's `status.py` maps through here, so they all fail the same way: a state missing
from the table is an `UnknownProviderState` (the job ends in Error with the message), never a
silent default such as "still running".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import UnknownProviderState


def mapped(table: Mapping[str, JobStatus], state: object, unknown: Callable[[], str]) -> JobStatus:
    """`state` through `table`; anything else (not a string, or not in it) raises
    `UnknownProviderState` with the message `unknown()` builds."""
    status = table.get(state) if isinstance(state, str) else None
    if status is None:
        raise UnknownProviderState(unknown())
    return status
