"""IonQ histograms into counts: bit order, rounding that keeps the shots, seeded sampling."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdispatch_core.errors import ProviderError
from qdispatch_ionq.outputs import frequency_counts, marginal, quasi_probabilities, sample_counts


def test_keys_are_little_endian_and_bits_follow_their_sources():
    # key 6 = qubits 1 and 2 set; output bit 0 reads qubit 2, bit 1 reads qubit 0
    assert marginal({"6": 1.0}, (2, 0)) == {"01": 1.0}
    assert marginal({"6": 0.5, "2": 0.5}, (1, None, 2)) == {"101": 0.5, "001": 0.5}
    assert marginal({"1": 0.25, "3": 0.75}, (0,)) == {"1": 1.0}  # marginal over qubit 1
    with pytest.raises(ProviderError, match="unreadable"):
        marginal({"zero": 1.0}, (0,))


@settings(deadline=None)  # pure arithmetic: a stall on a loaded machine is no failure
@given(
    st.dictionaries(st.sampled_from(["00", "01", "10", "11"]), st.floats(0.001, 1.0), min_size=1),
    st.integers(1, 100_000),
)
def test_frequencies_become_counts_that_sum_to_the_shots(probabilities, shots):
    counts = frequency_counts(probabilities, shots)
    assert sum(counts.values()) == shots
    total = sum(probabilities.values())
    for key, n in counts.items():
        assert abs(n - shots * probabilities[key] / total) < 1  # never off by a whole shot


def test_exact_frequencies_come_back_exactly():
    assert frequency_counts({"00": 0.503, "11": 0.497}, 1000) == {"00": 503, "11": 497}


def test_sampling_is_seeded_and_complete():
    p = {"00": 0.5, "11": 0.5}
    first = sample_counts(p, 1000, seed=5)
    assert first == sample_counts(p, 1000, seed=5) != sample_counts(p, 1000, seed=6)
    assert sum(first.values()) == 1000 and set(first) == {"00", "11"}


def test_quasi_probabilities_are_normalised_and_drop_zeros():
    assert quasi_probabilities({"0": 0.6, "1": 0.6, "2": 0.0}) == {"0": 0.5, "1": 0.5}
    with pytest.raises(ProviderError, match="empty"):
        quasi_probabilities({"0": 0.0})
