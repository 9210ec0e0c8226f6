"""A real job on IBM Quantum. Costs real QPU time: runs only with QDISPATCH_LIVE_IBM=1 and
credentials in QDISPATCH_IBM_TOKEN and QDISPATCH_IBM_INSTANCE, or the runtime's own
QISKIT_IBM_TOKEN and QISKIT_IBM_INSTANCE (an IBM Cloud API key and the instance CRN; read here,
before the suite's fixtures hide the runtime's variables). QDISPATCH_LIVE_IBM_BACKEND picks
the backend (default: the first online one the account lists)."""

from __future__ import annotations

import os
import time

import pytest

from qdispatch_core.domain import DeviceStatus, JobStatus
from qdispatch_ibm import IBMBackend
from tests.contract.backend_contract import make_spec
from tests.samples import BELL_NO_MEASURE, BELL_QASM2

TOKEN = os.environ.get("QDISPATCH_IBM_TOKEN") or os.environ.get("QISKIT_IBM_TOKEN", "")
INSTANCE = os.environ.get("QDISPATCH_IBM_INSTANCE") or os.environ.get("QISKIT_IBM_INSTANCE", "")
ENABLED = os.environ.get("QDISPATCH_LIVE_IBM") == "1" and bool(TOKEN and INSTANCE)

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not ENABLED,
        reason="live IBM test: set QDISPATCH_LIVE_IBM=1 and an IBM token and instance",
    ),
]


CREDENTIALS = {"ibm_quantum_token": TOKEN, "ibm_quantum_instance": INSTANCE}


def online_device(backend):
    online = [
        d
        for d in backend.list_devices(CREDENTIALS)
        if not d.simulator and d.status is DeviceStatus.ONLINE
    ]
    assert online, "the account lists no online QPU"
    wanted = os.environ.get("QDISPATCH_LIVE_IBM_BACKEND")
    return next(d for d in online if d.id == wanted) if wanted else online[0]


def run_to_the_end(backend, device, spec):
    ids = backend.submit(device, spec, CREDENTIALS)
    deadline = time.monotonic() + float(os.environ.get("QDISPATCH_LIVE_IBM_TIMEOUT", "3600"))
    state = backend.poll(device, ids, CREDENTIALS)
    while not state.status.is_final:
        assert time.monotonic() < deadline, f"IBM job {ids[0]} still {state.status.value}"
        time.sleep(10)
        state = backend.poll(device, ids, CREDENTIALS)
    assert state.status is JobStatus.DONE, state.message
    return ids, backend.fetch(device, spec, ids, CREDENTIALS)


def test_a_bell_pair_on_an_ibm_qpu(qiskit_toolkit, tmp_path):
    backend = IBMBackend(calibration_dir=tmp_path)
    device = online_device(backend)
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], device.id, shots=200, use_mitigation=True)
    estimate = backend.estimate_cost(device, spec)
    assert estimate.native_unit == "s" and estimate.native_amount > 3

    ids, execution = run_to_the_end(backend, device, spec)
    (raw,) = execution.raw_outputs
    assert sum(raw.values()) == 200 and raw.get("00", 0) + raw.get("11", 0) > 150
    assert execution.mitigation["applied"]
    assert execution.cost is None or execution.cost.native_unit == "s"
    backend.cancel(device, ids, CREDENTIALS)  # finished: harmless


def test_observables_on_an_ibm_qpu_with_trex(qiskit_toolkit, tmp_path):
    backend = IBMBackend(calibration_dir=tmp_path)
    device = online_device(backend)
    assert backend.estimates_observables(device, True)
    spec = make_spec(
        qiskit_toolkit,
        [BELL_NO_MEASURE],
        device.id,
        shots=500,
        observables=[[["ZZ"], [1.0]], [["XX"], [1.0]]],
        use_mitigation=True,
        provider_estimates=True,
    )
    _, execution = run_to_the_end(backend, device, spec)
    ((zz, xx),), ((zz_error, xx_error),) = execution.outputs, execution.uncertainties
    assert zz > 0.7 and xx > 0.7 and 0 < zz_error < 0.2 and 0 < xx_error < 0.2
    assert execution.mitigation["resilience_level"] == 1
