"""The price table and the quantum-seconds estimate."""

from __future__ import annotations

import pytest

from qdispatch_core.domain import DeviceStatus
from qdispatch_core.errors import ProviderError
from qdispatch_ibm.catalog import fake_facts
from qdispatch_ibm.devices import cloud_device
from qdispatch_ibm.pricing import (
    JOB_OVERHEAD_S,
    PRICE_AS_OF,
    USD_PER_QUANTUM_SECOND,
    PubTiming,
    qpu_cost,
    quantum_seconds,
)
from tests.contract.backend_contract import make_spec
from tests.samples import BELL_NO_MEASURE, BELL_QASM2


def test_the_formula():
    pubs = [PubTiming(1000, 10e-6), PubTiming(3 * 1000, 20e-6)]
    expected = JOB_OVERHEAD_S + 1000 * (10e-6 + 250e-6) + 3000 * (20e-6 + 250e-6)
    assert quantum_seconds(pubs, 250e-6) == pytest.approx(expected)
    assert quantum_seconds(pubs, None) == pytest.approx(expected)  # IBM's usual default
    assert quantum_seconds([], 1e-3) == JOB_OVERHEAD_S
    assert USD_PER_QUANTUM_SECOND == 1.60 and PRICE_AS_OF == "2026-11-24"
    assert qpu_cost(10).to_dict() == {
        "native": {"amount": 10.0, "unit": "s"},
        "converted": {"amount": 16.0, "unit": "USD"},
    }


def test_fakes_cost_nothing(ibm, qiskit_toolkit):
    spec = make_spec(qiskit_toolkit, [BELL_QASM2] * 2, "fake_manila", shots=300)
    cost = ibm.estimate_cost(ibm.get_device("fake_manila"), spec)
    assert cost.to_dict()["converted"] == {"amount": 0.0, "unit": "USD"}
    assert cost.native_amount == 600 and cost.native_unit == "shots"


def test_estimates_count_every_pub_and_parameter_set(ibm, qiskit_toolkit):
    device = ibm.get_device("ibm_fez")  # no credentials: planned on the fake_fez snapshot
    one = ibm.estimate_cost(device, make_spec(qiskit_toolkit, [BELL_QASM2], device.id, shots=1000))
    groups = make_spec(
        qiskit_toolkit,
        [BELL_NO_MEASURE],
        device.id,
        shots=1000,
        observables=[["ZZ", "XX"], [1.0, 1.0]],
        provider_estimates=ibm.estimates_observables(device, False),
    )
    two = ibm.estimate_cost(device, groups)  # IBM's Estimator: two bases, at level 0
    per_pub = one.native_amount - JOB_OVERHEAD_S
    assert 0.25 < per_pub < 0.27  # 1000 × (250 µs + a few µs of circuit)
    assert two.native_amount - JOB_OVERHEAD_S == pytest.approx(2 * per_pub, rel=0.05)
    mitigated = make_spec(qiskit_toolkit, [BELL_QASM2], device.id, shots=1000, use_mitigation=True)
    three = ibm.estimate_cost(device, mitigated)  # + two calibration PUBs
    assert three.native_amount - JOB_OVERHEAD_S == pytest.approx(3 * per_pub, rel=0.05)


def test_no_honest_figure_without_calibration_data(ibm, qiskit_toolkit):
    stranger = cloud_device(
        "ibm_nowhere", fake_facts("fake_manila"), DeviceStatus.UNKNOWN, "not listed anywhere"
    )
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], stranger.id, shots=100)
    cost = ibm.estimate_cost(stranger, spec)
    assert cost.to_dict()["pricing_available"] is False
    assert "ibm_nowhere" in cost.reason and cost.billable_usd == 0
    with pytest.raises(ProviderError, match="ibm_quantum_token"):
        ibm.prepare(stranger, spec)
