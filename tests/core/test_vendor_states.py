"""The one way providers map a vendor's job states (qdispatch_core.rules.vendor_states)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import ProviderError, UnknownProviderState
from qdispatch_core.rules.vendor_states import mapped

TABLE = {"queued": JobStatus.QUEUED, "done": JobStatus.DONE, "failed": JobStatus.ERROR}


def test_a_known_state_maps_through_the_table():
    assert [mapped(TABLE, s, lambda: "never built") for s in TABLE] == list(TABLE.values())


@given(st.one_of(st.text(), st.integers(), st.none(), st.builds(object)))
def test_anything_else_is_an_unknown_provider_state_never_a_default(state):
    if state in TABLE:
        return
    with pytest.raises(UnknownProviderState, match=r"^vendor said .*, not in the table$"):
        mapped(TABLE, state, lambda: f"vendor said {state!r}, not in the table")


def test_unknown_states_end_jobs_as_provider_errors():
    assert issubclass(UnknownProviderState, ProviderError)
    built = []
    mapped(TABLE, "done", lambda: built.append("built") or "message")
    assert built == []  # the message is only built for a state that needs it
