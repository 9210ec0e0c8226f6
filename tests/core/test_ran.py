"""The `executed` entries of what ran: consecutive executables of one circuit and group that ran
one program fold into one entry (issue 23)."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from qdispatch_core.rules.ran import fold_executed

KEY = st.tuples(st.integers(0, 2), st.sampled_from([None, 0, 1]), st.sampled_from("ab"))


def test_repeats_fold_and_a_change_of_circuit_group_or_program_starts_an_entry():
    rows = [
        (0, 0, None, "p1", {"virtual_to_physical": [1, 0]}),
        (1, 0, None, "p1", {"virtual_to_physical": [9, 9]}),  # folded: the first one's layout
        (2, 0, None, "p2", {"virtual_to_physical": [0, 1]}),
        (3, 1, None, "p2", {"virtual_to_physical": [0, 1]}),
        (4, 1, 0, "p2", {"virtual_to_physical": [0, 1]}),
    ]
    assert fold_executed(rows) == [
        {"circuit": 0, "group": None, "executables": [0, 2], "program": "p1",
         "virtual_to_physical": [1, 0]},
        {"circuit": 0, "group": None, "executables": [2, 1], "program": "p2",
         "virtual_to_physical": [0, 1]},
        {"circuit": 1, "group": None, "executables": [3, 1], "program": "p2",
         "virtual_to_physical": [0, 1]},
        {"circuit": 1, "group": 0, "executables": [4, 1], "program": "p2",
         "virtual_to_physical": [0, 1]},
    ]  # fmt: skip


@given(st.lists(KEY, max_size=40))
def test_the_entries_cover_every_executable_once_in_order(keys):
    rows = [(i, c, g, p, {}) for i, (c, g, p) in enumerate(keys)]
    entries = fold_executed(rows)
    covered = [i for e in entries for i in range(e["executables"][0], sum(e["executables"]))]
    assert covered == list(range(len(keys)))
    for e in entries:
        first, count = e["executables"]
        assert all(
            keys[i] == (e["circuit"], e["group"], e["program"]) for i in range(first, first + count)
        )
    for a, b in pairwise(entries):  # neighbours differ: nothing left to fold
        assert (a["circuit"], a["group"], a["program"]) != (b["circuit"], b["group"], b["program"])
