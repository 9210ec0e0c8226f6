"""Shared IBM fixtures: one backend per module (fake backends, transpiled circuits and readout
calibrations are reused, as in a worker), calibrations cached in a temporary directory, and no
IBM account visible to the tests unless one sets it up."""

from __future__ import annotations

import pytest

from qdispatch_core.domain import JobStatus
from qdispatch_ibm import IBMBackend
from qdispatch_qiskit import QiskitToolkit
from tests.contract.backend_contract import drive, make_spec


@pytest.fixture(autouse=True)
def no_ibm_account(monkeypatch, tmp_path):
    """HOME without a saved qiskit-ibm account and no QISKIT_IBM_* variables."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL", "QISKIT_IBM_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def calibration_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("ibm-readout")


@pytest.fixture(scope="module")
def ibm(calibration_dir):
    backend = IBMBackend(calibration_dir=calibration_dir)
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def qiskit_toolkit():
    return QiskitToolkit()


def run_outputs(backend, toolkit, qasms, device_id="fake_manila", **kwargs):
    """Validate and run a job directly on the backend; its Execution."""
    spec = make_spec(toolkit, qasms, device_id, **kwargs)
    backend.validate(backend.get_device(device_id), spec)
    _, state, execution = drive(backend, spec, {})
    assert state.status is JobStatus.DONE, state.message
    return execution


@pytest.fixture
def cloud():
    """A recorded IBM Quantum Platform with one backend, ibm_manila (FakeManilaV2's files)."""
    import responses

    from tests.providers.ibm.cloud_mock import IbmCloud

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield IbmCloud(rsps, {"ibm_manila": "FakeManilaV2"})


@pytest.fixture
def ibm_credentials():
    from tests.providers.ibm.cloud_mock import CRN, TOKEN

    return {"ibm_quantum_token": TOKEN, "ibm_quantum_instance": CRN}
