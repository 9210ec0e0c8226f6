"""Readout calibrations: the arithmetic, the per-device cache, and where the cache lives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qdispatch_core.ports.backend_settings import BackendSettings
from qdispatch_ibm.backend import IBMBackend
from qdispatch_ibm.calibration import (
    CALIBRATION_REGISTER,
    CalibrationStore,
    QubitCalibration,
    cache_root,
    calibration_pubs,
    calibrations_from_pubs,
    fresh,
    matrix_from_rates,
)
from qdispatch_ibm.programs import final_measurements


def entry(taken_at: datetime, p10: float = 0.02, p01: float = 0.05) -> QubitCalibration:
    return QubitCalibration(matrix_from_rates(p10, p01), 1000, taken_at.isoformat(), "test")


def test_assignment_matrices_have_mthrees_layout():
    # column = prepared state, row = read value; columns sum to 1
    assert matrix_from_rates(0.02, 0.05) == [[0.98, 0.05], [0.02, 0.95]]


def test_calibration_pubs_and_their_counts():
    pubs = calibration_pubs(5, [3, 1])
    (zero,), (one,) = pubs
    assert zero.num_qubits == one.num_qubits == 5
    assert one.count_ops() == {"x": 2, "measure": 2} and "x" not in zero.count_ops()
    assert final_measurements(one, CALIBRATION_REGISTER) == [3, 1]  # bit i reads qubits[i]
    # bit 0 (rightmost) is qubit 3, bit 1 is qubit 1
    zero_counts = {"00": 90, "01": 6, "10": 4}  # qubit 3 reads 1 six times, qubit 1 four times
    one_counts = {"11": 80, "10": 20}  # qubit 3 reads 0 twenty times
    cals = calibrations_from_pubs(zero_counts, one_counts, [3, 1], "2026-11-24T08:00:00+00:00")
    assert [*cals[3].matrix[0], *cals[3].matrix[1]] == pytest.approx([0.94, 0.2, 0.06, 0.8])
    assert [*cals[1].matrix[0], *cals[1].matrix[1]] == pytest.approx([0.96, 0.0, 0.04, 1.0])
    assert cals[3].shots == 100 and cals[3].taken_at == "2026-11-24T08:00:00+00:00"


def test_the_store_merges_per_device_and_survives_garbage(tmp_path):
    store = CalibrationStore(tmp_path)
    now = datetime.now(UTC)
    store.merge("ibm_x", {0: entry(now), 2: entry(now)})
    store.merge("ibm_x", {2: entry(now, 0.1, 0.1), 4: entry(now)})
    loaded = store.load("ibm_x")
    assert sorted(loaded) == [0, 2, 4] and loaded[2].matrix == matrix_from_rates(0.1, 0.1)
    assert store.load("ibm_other") == {}
    store.path("ibm_x").write_text("{not json")
    assert store.load("ibm_x") == {}  # unreadable: calibrate again


def test_freshness_needs_every_qubit_within_the_age():
    now = datetime.now(UTC)
    cals = {0: entry(now - timedelta(minutes=10)), 1: entry(now - timedelta(hours=2))}
    assert fresh(cals, [0], timedelta(hours=1))
    assert not fresh(cals, [0, 1], timedelta(hours=1))
    assert not fresh(cals, [0, 7], timedelta(hours=1))


def test_the_cache_lives_in_the_configured_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("QDISPATCH_CACHE_DIR", str(tmp_path / "ignored"))  # the app reads it
    backend = IBMBackend(settings=BackendSettings(cache_dir=tmp_path))
    assert backend.calibrations.directory == tmp_path / "ibm" / "readout"
    assert CalibrationStore().directory == cache_root() / "ibm" / "readout"
    assert "qdispatch" in str(cache_root())  # platformdirs' user cache directory


def test_fake_calibrations_are_measured_once_per_device_and_reused(ibm, qiskit_toolkit):
    from tests.providers.ibm.conftest import run_outputs
    from tests.samples import BELL_QASM2

    run_outputs(ibm, qiskit_toolkit, [BELL_QASM2], "fake_lima", shots=100, use_mitigation=True)
    (path,) = ibm.calibrations.directory.glob("fake_lima-runtime-*.json")
    written = path.stat().st_mtime_ns
    record = run_outputs(
        ibm, qiskit_toolkit, [BELL_QASM2], "fake_lima", shots=100, use_mitigation=True
    ).mitigation
    assert path.stat().st_mtime_ns == written  # reused, not measured again
    assert record["calibration"]["shots"] == 10_000
    (qubits,) = {tuple(record["calibration"]["qubits"])}
    cached = ibm.calibrations.load(path.stem)
    assert set(qubits) <= set(cached)
    for q in qubits:  # the snapshot's readout errors are a few percent
        (p00, p01), (p10, p11) = cached[q].matrix
        assert 0.85 < p00 < 1 and 0.85 < p11 < 1
