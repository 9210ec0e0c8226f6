"""use_mitigation on Braket devices: what it applies where, and that readout correction
measurably helps on a noisy density-matrix simulation."""

from __future__ import annotations

import pytest

from qdispatch_braket import BraketBackend
from qdispatch_braket import mitigation as m
from qdispatch_braket.checks import check_mitigation
from qdispatch_core.domain import RunType
from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.plan import assemble
from tests.contract.backend_contract import make_spec
from tests.providers.braket.conftest import run_job
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, ghz

NOISE = {"readout_error": 0.08}


def _distance(distribution, ideal, shots=None):
    """Total variation distance between a (quasi-)distribution and the ideal one."""
    total = shots or sum(distribution.values())
    keys = set(distribution) | set(ideal)
    return 0.5 * sum(abs(distribution.get(k, 0) / total - ideal.get(k, 0)) for k in keys)


@pytest.fixture(scope="module")
def noisy_backend():
    backend = BraketBackend()
    yield backend
    backend.close()


def test_readout_mitigation_brings_ghz_counts_closer_to_the_ideal(noisy_backend, qiskit_toolkit):
    execution = run_job(
        noisy_backend,
        qiskit_toolkit,
        [ghz(3)],
        "braket_local_dm",
        shots=8000,
        options=NOISE,
        use_mitigation=True,
    )
    (mitigated,), (raw,) = execution.outputs, execution.raw_outputs
    ideal = {"000": 0.5, "111": 0.5}
    raw_distance = _distance(raw, ideal)
    mitigated_distance = _distance(mitigated, ideal, shots=1)
    assert raw_distance > 0.15  # 3 bits at 8% each: about 22% of shots misread
    assert mitigated_distance < raw_distance / 4, (raw_distance, mitigated_distance)
    assert sum(raw.values()) == 8000 and sum(mitigated.values()) == pytest.approx(1.0)
    record = execution.mitigation
    assert record["applied"] and record["method"] == "readout_error_mitigation"
    rates = record["calibration"]["readout_error_rates"]
    assert set(rates) == {"0", "1", "2"}
    for rate in rates.values():
        assert rate["p1_given_0"] == pytest.approx(0.08, abs=0.01)
        assert rate["p0_given_1"] == pytest.approx(0.08, abs=0.01)


def test_mitigated_expectation_values_recover_the_ideal_ones(qiskit_toolkit, seeded_braket):
    # A fresh backend, so its calibration (20,000 shots per state) is drawn here, seeded.
    seeded_braket(5)
    backend = BraketBackend()
    observables = [[["ZZ"], [1.0]], [["XX"], [1.0]]]
    kwargs = {"observables": observables, "shots": 8000, "options": NOISE}
    spec = make_spec(qiskit_toolkit, [BELL_NO_MEASURE], "braket_local_dm", **kwargs)
    try:
        raw = run_job(backend, qiskit_toolkit, [BELL_NO_MEASURE], "braket_local_dm", **kwargs)
        fixed = run_job(
            backend,
            qiskit_toolkit,
            [BELL_NO_MEASURE],
            "braket_local_dm",
            use_mitigation=True,
            **kwargs,
        )
    finally:
        backend.close()
    raw_values = assemble(spec.plan, raw.outputs)[0][0]
    fixed_values = assemble(spec.plan, fixed.outputs)[0][0]
    attenuated = (1 - 2 * 0.08) ** 2  # two independent flips shrink <ZZ> and <XX>
    # Raw: binomial spread about 0.008 (5σ = 0.04). Mitigated: the data's spread divided by
    # the attenuation (about 0.011) plus the calibration's (about 0.013): 0.06 is about 3.5σ,
    # and 0.29 below the ideal value (what no correction gives) is far outside it.
    assert raw_values == [pytest.approx(attenuated, abs=0.04)] * 2
    assert fixed_values == [pytest.approx(1.0, abs=0.06)] * 2
    assert raw.mitigation is None


def test_calibrations_of_the_noisy_simulator_are_cached(qiskit_toolkit):
    backend = BraketBackend()
    try:
        first = run_job(
            backend,
            qiskit_toolkit,
            [BELL_QASM2],
            "braket_local_dm",
            shots=500,
            options=NOISE,
            use_mitigation=True,
        )
        second = run_job(
            backend,
            qiskit_toolkit,
            [BELL_QASM2],
            "braket_local_dm",
            shots=700,
            options=NOISE,
            use_mitigation=True,
        )
        other_noise = run_job(
            backend,
            qiskit_toolkit,
            [BELL_QASM2],
            "braket_local_dm",
            shots=500,
            options={"readout_error": 0.02},
            use_mitigation=True,
        )
    finally:
        backend.close()
    assert first.mitigation["calibration"]["cached"] is False
    assert second.mitigation["calibration"]["cached"] is True
    assert other_noise.mitigation["calibration"]["cached"] is False
    assert len(backend.local.calibrations) == 2


@pytest.mark.parametrize(
    "device_id, options, run_type",
    [
        ("braket_local_sv", {}, RunType.RUN),
        ("braket_local_dm", {}, RunType.RUN),
        ("braket_local_sv", {}, RunType.STATEVECTOR),
    ],
)
def test_noiseless_simulations_record_that_nothing_was_needed(
    noisy_backend, qiskit_toolkit, device_id, options, run_type
):
    execution = run_job(
        noisy_backend,
        qiskit_toolkit,
        [BELL_QASM2],
        device_id,
        shots=100,
        options=options,
        run_type=run_type,
        use_mitigation=True,
    )
    assert execution.mitigation["applied"] is False
    assert execution.mitigation["reason"].startswith("not needed")
    assert execution.raw_outputs is None


def test_correction_inverts_known_confusion_exactly():
    calibration = m.Calibration({0: (0.1, 0.2), 5: (0.05, 0.0)}, 1000, "now")
    # true distribution: |00> and |11> half each; bit 0 is qubit 0, bit 1 is qubit 5
    p00 = 0.5 * (1 - 0.1) * (1 - 0.05) + 0.5 * 0.2 * 0.0
    p01 = 0.5 * (1 - 0.1) * 0.05 + 0.5 * 0.2 * 1.0
    p10 = 0.5 * 0.1 * (1 - 0.05) + 0.5 * 0.8 * 0.0
    p11 = 0.5 * 0.1 * 0.05 + 0.5 * 0.8 * 1.0
    measured = {"00": p00, "01": p01, "10": p10, "11": p11}
    corrected = m.correct(measured, [0, 5], calibration)
    assert corrected == {"00": pytest.approx(0.5), "11": pytest.approx(0.5)}


def test_calibration_rates_come_from_the_flipped_bits():
    calibration = m.calibration_from_counts(
        {"00": 90, "10": 10}, {"11": 80, "01": 15, "00": 5}, [3, 4], 100
    )
    assert calibration.rates == {3: (0.1, 0.2), 4: (0.0, 0.05)}


def test_random_readout_cannot_be_corrected():
    with pytest.raises(ValueError, match="random"):
        m.correct({"0": 10}, [0], m.Calibration({0: (0.5, 0.5)}, 10, "now"))


def test_wide_circuits_are_refused_for_readout_mitigation(noisy_backend, qiskit_toolkit):
    device = noisy_backend.get_device("braket_local_sv")
    wide = make_spec(qiskit_toolkit, [ghz(17)], "braket_local_sv", shots=10, use_mitigation=True)
    with pytest.raises(BadRequest, match="up to 16 qubits"):
        check_mitigation(device, wide, m.Decision(m.READOUT_CACHED))
    narrow = make_spec(qiskit_toolkit, [ghz(16)], "braket_local_sv", shots=10)
    check_mitigation(device, narrow, m.Decision(m.READOUT_CACHED))
