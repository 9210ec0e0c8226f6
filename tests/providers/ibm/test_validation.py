"""What the IBM devices refuse before anything runs, and why."""

from __future__ import annotations

import pytest

from qdispatch_core.domain import RunType
from qdispatch_core.errors import BadRequest, ProviderError
from qdispatch_core.ports.backend_settings import BackendSettings
from qdispatch_ibm import IBMBackend
from tests.contract.backend_contract import make_spec
from tests.providers.ibm.conftest import run_outputs
from tests.samples import BELL_NO_MEASURE, ghz

MID_CIRCUIT = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
h q[0];
c[0] = measure q[0];
cx q[0], q[1];
c[1] = measure q[1];
"""


def exact_spec(toolkit, source, device_id="fake_manila"):
    qubits = toolkit.inspect(source).analytics.qubits
    return make_spec(
        toolkit,
        [source],
        device_id,
        run_type=RunType.STATEVECTOR,
        observables=[["Z" * qubits], [1.0]],
    )


def test_a_mid_circuit_measurement_has_no_exact_state(ibm, qiskit_toolkit):
    with pytest.raises(BadRequest, match="measure before its final measurements"):
        ibm.validate(ibm.get_device("fake_manila"), exact_spec(qiskit_toolkit, MID_CIRCUIT))


def test_density_matrices_must_fit_the_memory_budget(qiskit_toolkit, calibration_dir):
    small = IBMBackend(calibration_dir=calibration_dir, memory_limit_bytes=2 * 16 * 4**3)
    device = small.get_device("fake_guadalupe")
    small.validate(device, exact_spec(qiskit_toolkit, BELL_NO_MEASURE, device.id))
    with pytest.raises(BadRequest, match="4 qubits") as refused:
        small.validate(device, exact_spec(qiskit_toolkit, ghz(4, measure=False), device.id))
    assert "at most 3 qubits" in refused.value.message and refused.value.field == "run_type"


def test_noisy_sampling_must_fit_the_memory_budget(qiskit_toolkit, calibration_dir):
    small = IBMBackend(calibration_dir=calibration_dir, memory_limit_bytes=2 * 16 * 2**4)
    device = small.get_device("fake_guadalupe")
    small.validate(device, make_spec(qiskit_toolkit, [ghz(4)], device.id))
    with pytest.raises(BadRequest, match="uses 5 qubits on fake_guadalupe") as refused:
        small.validate(device, make_spec(qiskit_toolkit, [ghz(5)], device.id))
    assert refused.value.field == "device_id"


def test_readout_correction_skips_circuits_that_measure_mid_circuit(ibm, qiskit_toolkit):
    execution = run_outputs(ibm, qiskit_toolkit, [MID_CIRCUIT], shots=200, use_mitigation=True)
    assert execution.mitigation["applied"] is False
    assert "mid-circuit" in execution.mitigation["reason"]
    (counts,) = execution.outputs
    assert sum(counts.values()) == 200 and execution.raw_outputs is None


def test_a_fake_backend_runs_shards_not_provider_jobs(ibm, qiskit_toolkit):
    # Cancelling a fake backend's job terminates its simulation process: see
    # tests/app/test_heavy_work.py, which runs it in the worker's pool.
    device = ibm.get_device("fake_sherbrooke")
    spec = make_spec(qiskit_toolkit, [ghz(3)], device.id, shots=100)
    with pytest.raises(ProviderError, match="shards"):
        ibm.submit(device, spec, {})


def test_the_memory_budget_comes_from_the_settings_not_the_environment(
    monkeypatch, calibration_dir
):
    settings = BackendSettings(simulation_memory_bytes=1024)
    monkeypatch.setenv("QDISPATCH_SIMULATION_MEMORY_BYTES", "4096")  # providers never read it
    assert IBMBackend(settings=settings, calibration_dir=calibration_dir).memory_limit_bytes == 1024
    assert IBMBackend(calibration_dir=calibration_dir).memory_limit_bytes == 8 * 1024**3


def test_a_run_needs_nothing_more_than_the_contract(ibm, qiskit_toolkit):
    spec = make_spec(qiskit_toolkit, [BELL_NO_MEASURE], "fake_manila", observables=[["ZZ"], [1.0]])
    ibm.validate(ibm.get_device("fake_manila"), spec)  # sampled observables: fine
    ibm.validate(ibm.get_device("ibm_fez"), spec)  # nothing to check before IBM sees it
