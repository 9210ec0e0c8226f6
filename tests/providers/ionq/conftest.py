"""IonQ fixtures: a local IonQ (fake_ionq.FakeIonQ) per module and a backend aimed at it through
the real cirq-ionq client, plus a helper that runs a job to its end."""

from __future__ import annotations

import pytest

from qdispatch_core.domain import JobStatus
from qdispatch_ionq import IonQBackend
from qdispatch_qiskit import QiskitToolkit
from tests.contract.backend_contract import drive, make_spec
from tests.providers.ionq.fake_ionq import FakeIonQ

API_KEY = "ionq-test-key-3f9a27c1"  # planted: must never show up in logs or stored fields


@pytest.fixture(autouse=True)
def _no_ambient_ionq(monkeypatch):
    """Tests decide where IonQ is and which key is used; the machine's environment does not."""
    for name in (
        "IONQ_API_KEY",
        "CIRQ_IONQ_API_KEY",
        "QDISPATCH_IONQ_HOST",
        "IONQ_REMOTE_HOST",
        "CIRQ_IONQ_REMOTE_HOST",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def fake():
    server = FakeIonQ(API_KEY)
    yield server
    server.close()


@pytest.fixture(scope="module")
def ionq(fake):
    return IonQBackend(remote_host=fake.url, max_retry_seconds=1, http_timeout=10)


@pytest.fixture
def credentials():
    return {"ionq_api_key": API_KEY}


@pytest.fixture(scope="module")
def qiskit_toolkit():
    return QiskitToolkit()


def run_job(backend, toolkit, qasms, device_id="ionq_simulator", **kwargs):
    """Validate and run a job on the backend against the fake; (ids, execution)."""
    spec = make_spec(toolkit, qasms, device_id, **kwargs)
    device = backend.get_device(device_id)
    backend.validate(device, spec)
    ids, state, execution = drive(backend, spec, {"ionq_api_key": API_KEY}, timeout=60)
    assert state.status is JobStatus.DONE, state.message
    return ids, execution


def run_outputs(backend, toolkit, qasms, device_id="ionq_simulator", **kwargs):
    return run_job(backend, toolkit, qasms, device_id, **kwargs)[1].outputs
