"""The toolkit's tensored readout-error mitigation: known assignment matrices applied to known
distributions are undone, calibrations are read from the right bits, and the calibration
circuits measure what they claim on a simulator with readout noise."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.quantum_info import Statevector

from qdispatch_qiskit import readout
from qdispatch_qiskit.readout import (
    Calibration,
    CalibrationCache,
    calibration_circuits,
    calibration_from_counts,
    correct,
    misread,
    nearest_probabilities,
)

GHZ3 = {"000": 0.5, "111": 0.5}


def _close(got, expected, tol=1e-9):
    return all(abs(got.get(k, 0.0) - expected.get(k, 0.0)) < tol for k in set(got) | set(expected))


def test_a_known_assignment_matrix_applied_then_corrected_gives_the_distribution_back():
    calibration = Calibration({0: (0.1, 0.2), 5: (0.05, 0.0), 7: (0.02, 0.3)}, 1000, "now")
    true = {"000": 0.1, "011": 0.2, "101": 0.3, "110": 0.15, "111": 0.25}
    positions = [7, 0, 5]  # character 0 (leftmost) is qubit 7
    measured = misread(true, positions, calibration)
    assert not _close(measured, true, 0.01)  # the readout error changed it visibly
    assert sum(measured.values()) == pytest.approx(1.0)
    assert _close(correct(measured, positions, calibration), true)


def test_misread_applies_each_qubits_own_matrix():
    # qubit 3 (left character) misreads 0 as 1 10% of the time; qubit 4 reads 1 as 0 20%
    calibration = Calibration({3: (0.1, 0.0), 4: (0.0, 0.2)}, 1, "now")
    got = misread({"01": 1.0}, [3, 4], calibration)
    assert _close(got, {"01": 0.9 * 0.8, "00": 0.9 * 0.2, "11": 0.1 * 0.8, "10": 0.1 * 0.2})


def test_correct_normalises_counts_and_matches_the_hand_computed_inverse():
    calibration = Calibration({0: (0.1, 0.2)}, 100, "now")
    # measured counts of a qubit that was |1> 60% of the time: P(read 1) = 0.4*0.1 + 0.6*0.8
    read_one = 0.4 * 0.1 + 0.6 * 0.8
    counts = {"1": read_one * 1000, "0": (1 - read_one) * 1000}
    assert _close(correct(counts, [0], calibration), {"0": 0.4, "1": 0.6})


def test_correction_of_noisy_samples_gives_quasi_probabilities_closer_to_the_truth():
    calibration = Calibration({0: (0.08, 0.12), 1: (0.05, 0.1), 2: (0.1, 0.04)}, 1, "now")
    positions = [2, 1, 0]
    noisy = misread(GHZ3, positions, calibration)
    keys = sorted(noisy)
    drawn = np.random.default_rng(5).multinomial(20_000, [noisy[k] for k in keys])
    counts = {k: int(n) for k, n in zip(keys, drawn, strict=True)}
    quasi = correct(counts, positions, calibration)

    def distance(distribution, total):
        keys = set(distribution) | set(GHZ3)
        return 0.5 * sum(abs(distribution.get(k, 0) / total - GHZ3.get(k, 0)) for k in keys)

    raw, fixed = distance(counts, 20_000), distance(quasi, 1.0)
    assert raw > 0.15 and fixed < 0.03, (raw, fixed)
    assert sum(quasi.values()) == pytest.approx(1.0)


def test_rates_come_from_the_flipped_bits_of_each_position():
    calibration = calibration_from_counts(
        {"00": 90, "10": 10}, {"11": 80, "01": 15, "00": 5}, [3, 4], 100, taken_at="then"
    )
    assert calibration.rates == {3: (0.1, 0.2), 4: (0.0, 0.05)}
    assert calibration.summary() == {
        "qubits": [3, 4],
        "shots": 100,
        "taken_at": "then",
        "cached": False,
        "readout_error_rates": {
            "3": {"p1_given_0": 0.1, "p0_given_1": 0.2},
            "4": {"p1_given_0": 0.0, "p0_given_1": 0.05},
        },
    }
    assert calibration.assignment_matrix(3) == [[0.9, 0.2], [0.1, 0.8]]


def test_rates_accept_frequencies_as_well_as_counts():
    calibration = calibration_from_counts({"0": 0.97, "1": 0.03}, {"1": 0.9, "0": 0.1}, [0], 500)
    assert calibration.rates[0] == pytest.approx((0.03, 0.1))


def test_random_readout_cannot_be_corrected():
    with pytest.raises(ValueError, match="random"):
        correct({"0": 10}, [0], Calibration({0: (0.5, 0.5)}, 10, "now"))


def test_malformed_or_too_wide_inputs_are_refused():
    calibration = Calibration({q: (0.01, 0.01) for q in range(20)}, 10, "now")
    with pytest.raises(ValueError, match="does not have 2 bits"):
        correct({"011": 1}, [0, 1], calibration)
    with pytest.raises(ValueError, match=f"up to {readout.MAX_QUBITS} qubits"):
        correct({"0" * 17: 1}, list(range(17)), calibration)
    with pytest.raises(ValueError, match="empty"):
        correct({"0": 0}, [0], calibration)


def test_nearest_probabilities_removes_negative_mass_and_keeps_the_sum():
    quasi = {"00": 0.62, "11": 0.45, "01": -0.05, "10": -0.02}
    nearest = nearest_probabilities(quasi)
    assert set(nearest) == {"00", "11"}  # both negatives go, their mass shared by the rest
    assert nearest == {"00": pytest.approx(0.585), "11": pytest.approx(0.415)}
    assert sum(nearest.values()) == pytest.approx(1.0)


def test_nearest_probabilities_leaves_a_true_distribution_alone():
    distribution = {"0": 0.25, "1": 0.75}
    assert nearest_probabilities(distribution) == distribution


def test_nearest_probabilities_is_the_closest_in_the_2_norm():
    quasi = {"a": 0.7, "b": 0.4, "c": -0.1}
    nearest = nearest_probabilities(quasi)
    rng = np.random.default_rng(0)

    def norm(p):
        return sum((p.get(k, 0.0) - quasi[k]) ** 2 for k in quasi)

    for _ in range(200):  # no random distribution on the same outcomes is closer
        other = dict(zip(quasi, rng.dirichlet([1, 1, 1]), strict=True))
        assert norm(nearest) <= norm(other) + 1e-12


def test_calibration_circuits_prepare_all_zeros_and_all_ones_on_the_chosen_qubits():
    zeros, ones = calibration_circuits(5, [4, 1])
    assert zeros.num_qubits == ones.num_qubits == 5 and zeros.num_clbits == 2
    assert Statevector(zeros.remove_final_measurements(inplace=False)).probabilities_dict() == {
        "00000": 1.0
    }
    assert Statevector(ones.remove_final_measurements(inplace=False)).probabilities_dict() == {
        "10010": 1.0
    }
    measured = [
        (ones.find_bit(i.qubits[0]).index, ones.find_bit(i.clbits[0]).index)
        for i in ones.data
        if i.operation.name == "measure"
    ]
    assert measured == [(4, 0), (1, 1)]


def test_calibration_circuits_on_a_noisy_simulator_estimate_its_readout_error():
    from qiskit_aer import AerSimulator
    from qiskit_aer.noise import NoiseModel, ReadoutError

    noise = NoiseModel()
    for qubit, (e0, e1) in {0: (0.02, 0.07), 1: (0.1, 0.05)}.items():
        noise.add_readout_error(ReadoutError([[1 - e0, e0], [e1, 1 - e1]]), [qubit])
    simulator = AerSimulator(noise_model=noise, seed_simulator=11)
    shots = 40_000
    zeros, ones = calibration_circuits(2)
    result = simulator.run([zeros, ones], shots=shots).result()
    # Qiskit-order keys: qubits[i] is bit i, the rightmost character, so positions reverse
    calibration = calibration_from_counts(result.get_counts(0), result.get_counts(1), [1, 0], shots)
    assert calibration.rates[0] == pytest.approx((0.02, 0.07), abs=0.005)
    assert calibration.rates[1] == pytest.approx((0.1, 0.05), abs=0.006)


def test_the_cache_marks_hits_and_forgets_old_calibrations(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(readout.time, "monotonic", lambda: now[0])
    cache = CalibrationCache(max_age_s=3600)
    calibration = Calibration({0: (0.1, 0.1)}, 10, "now")
    assert cache.get("device") is None
    cache.put("device", calibration)
    hit = cache.get("device")
    assert hit is not None and hit.cached and hit.rates == calibration.rates
    assert len(cache) == 1
    now[0] += 3601
    assert cache.get("device") is None
    forever = CalibrationCache()
    forever.put("device", calibration)
    now[0] += 10**9
    assert forever.get("device").cached
