"""Against IonQ's real cloud, on its free simulator. Skipped unless QDISPATCH_LIVE_IONQ=1 and
an API key is set (IONQ_API_KEY or CIRQ_IONQ_API_KEY)."""

from __future__ import annotations

import os

import pytest

from qdispatch_core.domain import JobStatus
from qdispatch_ionq import IonQBackend
from tests.contract.backend_contract import drive, make_spec
from tests.samples import BELL_QASM2, X_ON_QUBIT0_OF_3

pytestmark = pytest.mark.live


@pytest.fixture
def live_key():
    # Read before the autouse fixture of conftest.py clears the environment for other tests.
    key = _KEY
    if os.environ.get("QDISPATCH_LIVE_IONQ") != "1" or not key:
        pytest.skip("set QDISPATCH_LIVE_IONQ=1 and IONQ_API_KEY to run against IonQ")
    return key


_KEY = os.environ.get("IONQ_API_KEY") or os.environ.get("CIRQ_IONQ_API_KEY")


def test_bell_and_bit_order_on_ionqs_simulator(live_key, qiskit_toolkit):
    backend = IonQBackend(remote_host="https://api.ionq.co")
    credentials = {"ionq_api_key": live_key}
    devices = {d.id: d for d in backend.list_devices(credentials)}
    assert "ionq_simulator" in devices and "ionq_qpu_forte_1" in devices
    spec = make_spec(
        qiskit_toolkit,
        [BELL_QASM2, X_ON_QUBIT0_OF_3],
        "ionq_simulator",
        shots=1000,
        options={"seed_simulator": 1},
    )
    _, state, execution = drive(backend, spec, credentials, timeout=600)
    assert state.status is JobStatus.DONE, state.message
    bell, x = execution.outputs
    assert set(bell) == {"00", "11"} and 400 < bell["00"] < 600
    assert x == {"001": 1000}
