"""The cloud path through the real `QiskitRuntimeService` client, against recorded HTTP answers
(see cloud_mock.py): authentication, listing, submission, the status sequence, result decoding,
cancellation (409 included), a failed job, and a restart that re-attaches by job id. Observables
(Estimator jobs) are in test_estimator.py."""

from __future__ import annotations

import json
import logging
import math

import pytest

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import ProviderError
from qdispatch_ibm import IBMBackend
from qdispatch_ibm.calibration import CLOUD_MAX_AGE
from tests.contract.backend_contract import BackendContract, drive, make_spec
from tests.providers.ibm.cloud_mock import TOKEN
from tests.samples import BELL_QASM2, PARAM_2Q

S = JobStatus
DEVICE = "ibm_manila"


@pytest.fixture
def fresh(calibration_dir):
    """A new backend object, as a new worker process would have."""
    backends = []

    def make() -> IBMBackend:
        backends.append(IBMBackend(calibration_dir=calibration_dir))
        return backends[-1]

    yield make


def decoded_params(body: dict) -> dict:
    from qiskit_ibm_runtime import RuntimeDecoder

    return json.loads(json.dumps(body["params"]), cls=RuntimeDecoder)


class TestCloudContract(BackendContract):
    """The Backend contract, run on ibm_manila through the recorded platform."""

    supports_statevector = False

    @pytest.fixture
    def backend(self, cloud, fresh):
        return fresh()

    @pytest.fixture
    def toolkit(self, qiskit_toolkit):
        return qiskit_toolkit

    @pytest.fixture
    def device_id(self):
        return DEVICE

    @pytest.fixture
    def credentials(self, ibm_credentials):
        return ibm_credentials


def test_authentication_uses_a_bearer_token_never_the_api_key(cloud, fresh, ibm_credentials):
    backend = fresh()
    backend.get_device(DEVICE, ibm_credentials)
    calls = [(c.request.method, c.request.url) for c in cloud.rsps.calls]
    assert calls[0] == ("POST", "https://iam.cloud.ibm.com/identity/token")
    assert ("GET", "https://quantum.cloud.ibm.com/api/v1/backends?include_mocks=True") in calls
    api_calls = [c.request for c in cloud.rsps.calls if "quantum.cloud.ibm.com" in c.request.url]
    assert api_calls and all(r.headers["Authorization"].startswith("Bearer ") for r in api_calls)
    for call in cloud.rsps.calls:
        if "iam.cloud.ibm.com" not in call.request.url:  # only IAM ever sees the key
            assert TOKEN not in str(call.request.headers) and TOKEN not in call.request.url
            assert TOKEN not in str(call.request.body or "")


def test_a_job_is_one_sampler_job_with_one_pub_per_circuit(
    cloud, fresh, ibm_credentials, qiskit_toolkit
):
    from qiskit_ibm_runtime.utils.validations import is_isa_circuit

    backend = fresh()
    device = backend.get_device(DEVICE, ibm_credentials)
    sets = [[0.1, 0.2], [0.3, 0.4], [math.pi, 0.0]]
    spec = make_spec(
        qiskit_toolkit, [BELL_QASM2, PARAM_2Q], DEVICE, shots=300, parameters=[[], sets]
    )
    (job_id,) = backend.submit(device, spec, ibm_credentials)
    (body,) = cloud.submitted  # one job for 4 executables, never one per parameter set
    assert body["program_id"] == "sampler" and body["backend"] == DEVICE
    params = decoded_params(body)
    assert params["options"]["default_shots"] == 300
    bell, sweep = params["pubs"]
    assert sweep[1].shape == (3, 2)  # the three parameter sets travel in one PUB
    target = backend._cloud.known[DEVICE].target
    assert is_isa_circuit(bell[0], target) == "" and is_isa_circuit(sweep[0], target) == ""
    assert job_id in cloud.jobs


def test_status_goes_queued_running_done_and_results_decode(
    cloud, fresh, ibm_credentials, qiskit_toolkit
):
    backend = fresh()
    device = backend.get_device(DEVICE, ibm_credentials)
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], DEVICE, shots=2000)
    ids = backend.submit(device, spec, ibm_credentials)
    states = [backend.poll(device, ids, ibm_credentials).status for _ in range(3)]
    assert states == [S.QUEUED, S.RUNNING, S.DONE]
    execution = backend.fetch(device, spec, ids, ibm_credentials)
    (counts,) = execution.outputs
    assert sum(counts.values()) == 2000 and counts["00"] + counts["11"] > 1800
    # exactly what the platform sent: the fake twin's PrimitiveResult, RuntimeEncoder-encoded
    from qiskit_ibm_runtime import RuntimeDecoder

    sent = json.loads(cloud.jobs[ids[0]].result_text, cls=RuntimeDecoder)
    assert counts == sent[0].join_data().get_counts()
    # the actual cost: 2.5 quantum seconds reported by the job's metrics, at 1.60 USD/s
    assert execution.cost.to_dict() == {
        "native": {"amount": 2.5, "unit": "s"},
        "converted": {"amount": 4.0, "unit": "USD"},
    }
    assert execution.mitigation is None and execution.raw_outputs is None


def test_cancelling_a_queued_job_and_a_finished_one(cloud, fresh, ibm_credentials, qiskit_toolkit):
    backend = fresh()
    device = backend.get_device(DEVICE, ibm_credentials)
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], DEVICE, shots=100)
    ids = backend.submit(device, spec, ibm_credentials)
    assert backend.poll(device, ids, ibm_credentials).status is S.QUEUED
    backend.cancel(device, ids, ibm_credentials)
    assert cloud.jobs[ids[0]].cancelled
    assert backend.poll(device, ids, ibm_credentials).status is S.CANCELLED
    with pytest.raises(ProviderError, match="cancelled"):
        backend.fetch(device, spec, ids, ibm_credentials)

    done_ids, state, _ = drive(backend, spec, ibm_credentials)
    backend.cancel(device, done_ids, ibm_credentials)  # IBM answers 409: nothing to cancel
    cancels = [c for c in cloud.rsps.calls if c.request.url.endswith(f"{done_ids[0]}/cancel")]
    assert [c.response.status_code for c in cancels] == [409]
    assert fresh().poll(device, done_ids, ibm_credentials).status is S.DONE


def test_a_failed_job_reports_ibms_reason(cloud, fresh, ibm_credentials, qiskit_toolkit):
    cloud.script = ("Queued", "Failed")

    def fail(job):
        job.reason = "circuit 0 exceeds the maximum duration"

    cloud.on_submit = fail
    backend = fresh()
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], DEVICE, shots=100)
    ids, state, execution = drive(backend, spec, ibm_credentials)
    assert state.status is S.ERROR and execution is None
    assert "circuit 0 exceeds the maximum duration" in state.message
    assert ids[0] in state.message


def test_a_restarted_worker_reattaches_by_job_id(cloud, fresh, ibm_credentials, qiskit_toolkit):
    first = fresh()
    device = first.get_device(DEVICE, ibm_credentials)
    spec = make_spec(
        qiskit_toolkit, [PARAM_2Q], DEVICE, shots=500, parameters=[[0.0, 0.0], [0.0, math.pi]]
    )
    ids = first.submit(device, spec, ibm_credentials)
    assert first.poll(device, ids, ibm_credentials).status is S.QUEUED

    second = fresh()  # a new process: nothing but the stored id
    device = second.get_device(DEVICE, ibm_credentials)
    state = second.poll(device, ids, ibm_credentials)
    while not state.status.is_final:
        state = second.poll(device, ids, ibm_credentials)
    assert state.status is S.DONE
    execution = second.fetch(device, spec, ids, ibm_credentials)
    zero, flipped = execution.outputs
    assert zero.get("00", 0) > 450 and flipped.get("11", 0) > 450  # (phi, theta): rx(π), CNOT
    lookups = [c.request.url for c in cloud.rsps.calls if f"/jobs/{ids[0]}" in c.request.url]
    assert any(url.endswith(ids[0]) for url in lookups)  # read the inputs back (no params excl.)
    assert len(cloud.submitted) == 1


def test_an_unknown_job_id_is_a_provider_error(cloud, fresh, ibm_credentials):
    backend = fresh()
    device = backend.get_device(DEVICE, ibm_credentials)
    with pytest.raises(ProviderError, match="no such job"):
        backend.poll(device, ["d0000000000000000000"], ibm_credentials)


def test_readout_mitigation_runs_calibration_pubs_then_reuses_them(
    cloud, fresh, ibm_credentials, qiskit_toolkit, calibration_dir
):
    backend = fresh()
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], DEVICE, shots=4000, use_mitigation=True)
    _, state, execution = drive(backend, spec, ibm_credentials)
    assert len(decoded_params(cloud.submitted[0])["pubs"]) == 3  # the circuit + 2 calibrations
    record = execution.mitigation
    assert record["applied"] and record["calibration"]["source"] == [
        "calibration circuits on the QPU"
    ]
    (quasi,), (raw,) = execution.outputs, execution.raw_outputs
    assert math.isclose(sum(quasi.values()), 1.0, abs_tol=1e-4)
    assert sum(raw.values()) == 4000
    raw_error = abs(1 - sum(v * (1 if k in ("00", "11") else -1) for k, v in raw.items()) / 4000)
    zz = sum(v * (1 if k in ("00", "11") else -1) for k, v in quasi.items())
    assert abs(1 - zz) < raw_error  # ⟨ZZ⟩ closer to the ideal 1

    drive(fresh(), spec, ibm_credentials)  # a fresh calibration is cached: no extra PUBs
    assert len(decoded_params(cloud.submitted[1])["pubs"]) == 1

    stale = json.loads(next(calibration_dir.glob("ibm_manila.json")).read_text())
    for entry in stale["qubits"].values():
        entry["taken_at"] = "2020-01-01T00:00:00+00:00"
    next(calibration_dir.glob("ibm_manila.json")).write_text(json.dumps(stale))
    drive(fresh(), spec, ibm_credentials)
    assert len(decoded_params(cloud.submitted[2])["pubs"]) == 3
    assert CLOUD_MAX_AGE.total_seconds() == 3600


def test_estimates_follow_the_quantum_seconds_formula(
    cloud, fresh, ibm_credentials, qiskit_toolkit
):
    from qdispatch_ibm.pricing import FALLBACK_REP_DELAY_S, JOB_OVERHEAD_S

    backend = fresh()
    device = backend.get_device(DEVICE, ibm_credentials)
    one = backend.estimate_cost(device, make_spec(qiskit_toolkit, [BELL_QASM2], DEVICE, shots=1000))
    two = backend.estimate_cost(device, make_spec(qiskit_toolkit, [BELL_QASM2], DEVICE, shots=2000))
    per_shot = (two.native_amount - one.native_amount) / 1000
    assert one.native_unit == "s"
    assert FALLBACK_REP_DELAY_S < per_shot < FALLBACK_REP_DELAY_S + 20e-6  # rep delay + ~6 µs
    assert one.native_amount == pytest.approx(JOB_OVERHEAD_S + 1000 * per_shot)
    assert one.usd == pytest.approx(one.native_amount * 1.60, abs=1e-5)


def test_credentials_appear_in_no_log_error_or_result(
    cloud, fresh, ibm_credentials, qiskit_toolkit, caplog, calibration_dir
):
    caplog.set_level(logging.DEBUG)
    backend = fresh()
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], DEVICE, shots=100, use_mitigation=True)
    ids, state, execution = drive(backend, spec, ibm_credentials)
    assert TOKEN not in repr(execution) and TOKEN not in repr(state)
    wrong = dict(ibm_credentials, ibm_quantum_token=TOKEN + "-revoked")
    device = backend.get_device(DEVICE, ibm_credentials)
    with pytest.raises(ProviderError) as failure:
        fresh().submit(device, spec, wrong)
    assert "rejected the credentials" in str(failure.value)
    assert TOKEN not in str(failure.value) and TOKEN not in caplog.text
    for path in calibration_dir.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text()
