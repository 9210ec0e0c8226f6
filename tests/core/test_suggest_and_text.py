"""The rules every door shares: "did you mean …?" for mistyped names, and text fields without
control characters."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qdispatch_core.errors import BadRequest
from qdispatch_core.ids import id_kind
from qdispatch_core.rules.suggest import closest, did_you_mean
from qdispatch_core.rules.text import check_text, is_control

DEVICES = ["aer_simulator", "aer_simulator_mps", "ionq_simulator", "fake_manila", "fake_lima"]
STATUSES = ["Submitted", "Initializing", "Validating", "Queued", "Running", "Done", "Error"]


@pytest.mark.parametrize(
    ("typed", "candidates", "expected"),
    [
        ("aer_simulatr", DEVICES, ["aer_simulator"]),  # a typo: the near-best only
        ("aer_simulato", DEVICES, ["aer_simulator", "aer_simulator_mps"]),  # a prefix of both
        ("fake_manilla", DEVICES, ["fake_manila"]),
        ("done", STATUSES, ["Done"]),  # case only
        ("RUNNING", STATUSES, ["Running"]),
        ("Finished", STATUSES, []),
        ("exp_8750", ["exp_87503e4b00b8", "exp_1234abcd"], ["exp_87503e4b00b8"]),  # truncated id
        ("seed_simulater", ["seed_simulator", "seed_transpiler", "method"], ["seed_simulator"]),
        ("", DEVICES, []),
        ("x" * 1000, DEVICES, []),  # not a typo of a name; never compared at length
    ],
)
def test_closest_names(typed, candidates, expected):
    assert closest(typed, candidates) == expected


def test_did_you_mean_reads_as_a_clause():
    assert did_you_mean("aer_simulatr", DEVICES) == "; did you mean 'aer_simulator'?"
    assert did_you_mean("aer_simulato", DEVICES) == (
        "; did you mean 'aer_simulator' or 'aer_simulator_mps'?"
    )
    assert did_you_mean("zzz", DEVICES) == ""


@given(st.text(max_size=30), st.lists(st.text(max_size=30), max_size=20))
def test_suggestions_are_candidates_at_most_three(word, candidates):
    found = closest(word, candidates)
    assert len(found) <= 3 and set(found) <= set(candidates)
    if word and word in candidates:
        assert found == [next(c for c in candidates if c.lower() == word.lower())]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("exp_123", "experiment"), ("exp_", "experiment"), ("cir_x", "circuit"), ("job_9", "job")],
)
def test_id_shaped_text(text, kind):
    assert id_kind(text) == kind


@pytest.mark.parametrize("text", ["experiment", "expo_1", "sweeps", "EXP_1", "exp"])
def test_names_that_are_not_ids(text):
    assert id_kind(text) is None


CONTROL = st.sampled_from([chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))])


@given(st.text(string.printable.strip() + "θé→", max_size=20), CONTROL, st.integers(0, 20))
def test_names_with_any_control_character_are_refused(text, control, at):
    at = min(at, len(text))
    value = text[:at] + control + text[at:]
    field = "description" if control in "\t\n" else "name"
    with pytest.raises(BadRequest) as err:
        check_text(value, "name", max_length=200)
    if control != "\x00":
        assert f"U+{ord(control):04X}" in err.value.message
    assert control not in err.value.message and err.value.field == "name"
    if field == "description":  # tabs and newlines are fine in multi-line text
        assert check_text(value, "description", max_length=200, multiline=True) == value
    elif control != "\x00":
        with pytest.raises(BadRequest):
            check_text(value, "description", max_length=200, multiline=True)


def test_escape_sequences_are_refused_and_printable_unicode_is_not():
    with pytest.raises(BadRequest, match=r"name: control character U\+001B at position 4"):
        check_text("job \x1b[31mred", "name", max_length=200)
    with pytest.raises(BadRequest, match=r"U\+009B"):  # the C1 form of the same introducer
        check_text("job \x9b31m", "name", max_length=200)
    assert check_text("θ-scan · 5 qubits → ZZ", "name", max_length=200) == "θ-scan · 5 qubits → ZZ"
    assert not is_control(" ") and not is_control("é") and is_control("\x7f")
