"""The cloud path through the SDK's real AwsDevice / AwsQuantumTask code, against a stubbed
Braket client and moto's S3 holding results.json files the Braket simulator produced."""

from __future__ import annotations

import json
import logging
import re

import numpy as np
import pytest
from braket.devices import Devices, LocalSimulator
from qiskit.quantum_info import Statevector

from qdispatch_braket import BraketBackend
from qdispatch_core.domain import JobStatus, RunType
from qdispatch_core.errors import BadRequest, ProviderError, ProviderUnavailable
from qdispatch_qiskit import parse_qasm
from tests.contract.backend_contract import make_spec
from tests.providers.braket import cloud_stub as stub
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, PARAM_2Q, X_ON_QUBIT0_OF_3, ghz

SV1 = Devices.Amazon.SV1.value
FORTE = Devices.IonQ.Forte1.value
GARNET = Devices.IQM.Garnet.value
S3 = {"s3_bucket": stub.BUCKET, "s3_prefix": stub.PREFIX}
KEYS = {"aws_access_key_id": "AKIAQDISPATCHTEST", "aws_secret_access_key": "planted-secret-9f3c"}
SWEEP = [[0.0, 0.0], [np.pi, 0.0], [0.0, np.pi], [np.pi, np.pi]]
SWEEP_COUNTS = [{"00": 100}, {"10": 100}, {"11": 100}, {"01": 100}]


def sv1_capabilities() -> dict:
    """SV1 as Braket describes it: like the local simulator, but no program sets and no
    state-vector result type (amplitudes instead)."""
    caps = json.loads(LocalSimulator("braket_sv").properties.json())
    del caps["action"]["braket.ir.openqasm.program_set"]
    for action in caps["action"].values():
        action["supportedResultTypes"] = [
            r for r in action.get("supportedResultTypes", []) if r["name"] != "StateVector"
        ]
    return caps


IONQ_GATES = ("x", "y", "z", "rx", "ry", "rz", "h", "cnot", "s", "si", "t", "ti", "v", "vi")
IQM_GATES = ("h", "x", "y", "z", "s", "si", "t", "ti", "v", "vi", "rx", "ry", "rz", "cnot", "cz")
LINE = [(1, 2), (2, 3), (3, 4), (4, 5)]  # IQM numbers its qubits from 1


def ionq_capabilities() -> dict:
    return stub.local_capabilities(
        header="braket.device_schema.ionq.ionq_device_capabilities",
        paradigm=stub.qpu_paradigm(36, None),
        operations=IONQ_GATES,
        shots_range=(1, 10_000),
    )


def garnet_capabilities(physical_qubits: bool = True) -> dict:
    return stub.local_capabilities(
        header="braket.device_schema.iqm.iqm_device_capabilities",
        paradigm=stub.qpu_paradigm(5, LINE),
        operations=IQM_GATES,
        physical_qubits=physical_qubits,
        shots_range=(1, 20_000),
    )


class Cloud:
    """The stubbed cloud in the regions a test needs, and backends wired to it."""

    def __init__(self, clouds):
        self.clouds = clouds
        self.factory_calls = []

    def __getitem__(self, region):
        return self.clouds[region]

    def backend(self):
        inner = stub.session_factory(self.clouds)

        def factory(credentials, region):
            self.factory_calls.append((dict(credentials), region))
            return inner(credentials, region)

        return BraketBackend(session_factory=factory, min_poll_seconds=0)


@pytest.fixture
def cloud():
    with stub.braket_cloud("us-east-1") as east:
        yield Cloud({"us-east-1": east, "eu-north-1": stub.BraketCloud("eu-north-1")})


@pytest.fixture
def noisy_cloud():
    with stub.braket_cloud("eu-north-1", readout_flip=0.1) as north:
        yield Cloud({"eu-north-1": north})


def _spec(toolkit, qasms, device_id, **kwargs):
    kwargs["options"] = {**S3, **kwargs.get("options", {})}
    return make_spec(toolkit, qasms, device_id, **kwargs)


def test_sv1_job_create_status_sequence_and_results(cloud, qiskit_toolkit):
    east = cloud["us-east-1"]
    east.duration_ms = 1200
    east.device(SV1, "SV1", "Amazon Braket", "SIMULATOR", sv1_capabilities())
    backend = cloud.backend()
    device = backend.get_device("aws_sv1")
    spec = _spec(
        qiskit_toolkit, [BELL_QASM2, PARAM_2Q], "aws_sv1", shots=100, parameters=[[], SWEEP]
    )
    arns = east.expect_create(5)  # SV1 runs no program sets: one task per executable
    ids = backend.submit(device, spec, KEYS)
    assert ids == tuple(arns)
    assert [c["deviceArn"] for c in east.created] == [SV1] * 5
    assert {c["shots"] for c in east.created} == {100}
    first = json.loads(east.created[0]["action"])
    assert first["braketSchemaHeader"]["name"] == "braket.ir.openqasm.program"
    assert "include" not in first["source"] and "cnot q[0], q[1];" in first["source"]

    expected = [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE]
    for state, status in zip(("QUEUED", "RUNNING", "COMPLETED"), expected, strict=True):
        for arn in arns:
            east.states(arn, state)
        assert backend.poll(device, ids, KEYS).status is status
    for arn in arns:
        east.states(arn, "COMPLETED", "COMPLETED")  # result(): metadata, then state() again
    execution = backend.fetch(device, spec, ids, KEYS)
    east.stub.assert_no_pending_responses()
    bell, *sweep = execution.outputs
    assert set(bell) == {"00", "11"} and sum(bell.values()) == 100
    assert sweep == SWEEP_COUNTS
    # 1.2 s simulated per task, billed at the 3-second minimum
    assert execution.cost.to_dict() == {
        "native": {"amount": 15.0, "unit": "s"},
        "converted": {"amount": pytest.approx(15 / 60 * 0.075), "unit": "USD"},
    }


def test_a_sweep_on_a_qpu_is_one_program_set_in_the_devices_region(cloud, qiskit_toolkit):
    north = cloud["eu-north-1"]
    north.device(GARNET, "Garnet", "IQM", "QPU", garnet_capabilities())
    backend = cloud.backend()
    device = backend.get_device("aws_iqm_garnet")
    spec = _spec(qiskit_toolkit, [PARAM_2Q], "aws_iqm_garnet", shots=100, parameters=SWEEP)
    (arn,) = north.expect_create(1)
    ids = backend.submit(device, spec, KEYS)
    assert ids == (arn,) and ":eu-north-1:" in arn
    assert {region for _, region in cloud.factory_calls} == {"eu-north-1"}
    (created,) = north.created
    action = json.loads(created["action"])
    assert action["braketSchemaHeader"]["name"] == "braket.ir.openqasm.program_set"
    (program,) = action["programs"]
    assert sorted(program["inputs"]) == ["phi", "theta"]
    assert program["inputs"]["phi"] == [0.0, np.pi, 0.0, np.pi]
    assert created["shots"] == 400  # 4 executables x 100 shots, one task
    north.states(arn, "COMPLETED", "COMPLETED", "COMPLETED")
    assert backend.poll(device, ids, KEYS).status is JobStatus.DONE
    execution = backend.fetch(device, spec, ids, KEYS)
    assert execution.outputs == SWEEP_COUNTS
    assert execution.cost.usd == pytest.approx(0.30 + 400 * 0.00145)


def test_a_restarted_worker_reattaches_by_arn(cloud, qiskit_toolkit):
    east = cloud["us-east-1"]
    east.device(FORTE, "Forte 1", "IonQ", "QPU", ionq_capabilities())
    first = cloud.backend()
    spec = _spec(qiskit_toolkit, [X_ON_QUBIT0_OF_3, BELL_QASM2], "aws_ionq_forte_1", shots=50)
    (arn,) = east.expect_create(1)
    ids = first.submit(first.get_device("aws_ionq_forte_1"), spec, KEYS)
    east.states(arn, "QUEUED")
    assert first.poll(first.get_device("aws_ionq_forte_1"), ids, KEYS).status is JobStatus.QUEUED
    first.close()

    restarted = cloud.backend()  # fresh objects: only the stored ids survive
    device = restarted.get_device("aws_ionq_forte_1")
    east.states(arn, "RUNNING", "COMPLETED", "COMPLETED", "COMPLETED")
    assert restarted.poll(device, list(ids), KEYS).status is JobStatus.RUNNING
    assert restarted.poll(device, list(ids), KEYS).status is JobStatus.DONE
    x, bell = restarted.fetch(device, spec, list(ids), KEYS).outputs
    assert x == {"001": 50} and set(bell) == {"00", "11"}
    east.stub.assert_no_pending_responses()


def test_cancel_stops_unfinished_tasks_and_leaves_finished_ones(cloud, qiskit_toolkit):
    east = cloud["us-east-1"]
    east.device(SV1, "SV1", "Amazon Braket", "SIMULATOR", sv1_capabilities())
    backend = cloud.backend()
    device = backend.get_device("aws_sv1")
    spec = _spec(qiskit_toolkit, [BELL_QASM2, BELL_QASM2], "aws_sv1", shots=10)
    done, queued = east.expect_create(2)
    ids = backend.submit(device, spec, KEYS)
    east.states(done, "COMPLETED")  # finished: no cancel call is made for it
    east.states(queued, "QUEUED")
    east.cancelled(queued)
    backend.cancel(device, ids, KEYS)
    east.states(done, "COMPLETED")
    east.states(queued, "CANCELLING")
    assert backend.poll(device, ids, KEYS).status is JobStatus.RUNNING
    east.states(done, "COMPLETED")
    east.states(queued, "CANCELLED")
    assert backend.poll(device, ids, KEYS).status is JobStatus.CANCELLED
    east.stub.assert_no_pending_responses()


def test_a_failed_task_reports_its_reason_and_its_siblings_are_cancelled(cloud, qiskit_toolkit):
    east = cloud["us-east-1"]
    east.device(SV1, "SV1", "Amazon Braket", "SIMULATOR", sv1_capabilities())
    backend = cloud.backend()
    device = backend.get_device("aws_sv1")
    spec = _spec(qiskit_toolkit, [BELL_QASM2, BELL_QASM2], "aws_sv1", shots=10)
    failed, running = east.expect_create(2)
    ids = backend.submit(device, spec, KEYS)
    east.states(failed, "FAILED", reason="Circuit too deep for the device")
    east.states(running, "RUNNING", "RUNNING")
    east.cancelled(running)
    state = backend.poll(device, ids, KEYS)
    assert state.status is JobStatus.ERROR
    assert state.message == f"Amazon Braket task {failed} failed: Circuit too deep for the device"
    east.stub.assert_no_pending_responses()


def test_unknown_task_ids_are_provider_errors(cloud):
    east = cloud["us-east-1"]
    backend = cloud.backend()
    device = backend.get_device("aws_sv1")
    with pytest.raises(ProviderError, match="not a task ARN"):
        backend.poll(device, ["no-such-job-id"], KEYS)
    for _ in range(3):  # the SDK retries a task it cannot find yet (eventual consistency)
        east.error("get_quantum_task", "ResourceNotFoundException", "Quantum task not found", 404)
    with pytest.raises(ProviderError, match="does not know this resource"):
        backend.poll(device, [stub.task_arn("us-east-1")], KEYS)


def test_an_offline_device_creates_nothing(cloud, qiskit_toolkit):
    east = cloud["us-east-1"]
    east.device(FORTE, "Forte 1", "IonQ", "QPU", ionq_capabilities(), status="OFFLINE")
    backend = cloud.backend()
    spec = _spec(qiskit_toolkit, [BELL_QASM2], "aws_ionq_forte_1", shots=10)
    with pytest.raises(ProviderError, match="aws_ionq_forte_1 is OFFLINE"):
        backend.submit(backend.get_device("aws_ionq_forte_1"), spec, KEYS)
    assert east.created == []


def test_live_limits_win_over_the_catalog(cloud, qiskit_toolkit):
    east = cloud["us-east-1"]
    caps = ionq_capabilities()
    caps["service"]["shotsRange"] = [1, 5000]  # the catalog says 10 000
    east.device(FORTE, "Forte 1", "IonQ", "QPU", caps)
    backend = cloud.backend()
    spec = _spec(qiskit_toolkit, [BELL_QASM2], "aws_ionq_forte_1", shots=10_000)
    with pytest.raises(BadRequest, match=r"accepts 1\.\.5000 shots"):
        backend.submit(backend.get_device("aws_ionq_forte_1"), spec, KEYS)
    assert east.created == []


def test_a_failed_submission_cancels_the_tasks_already_created(cloud, qiskit_toolkit):
    east = cloud["us-east-1"]
    east.device(SV1, "SV1", "Amazon Braket", "SIMULATOR", sv1_capabilities())
    backend = cloud.backend()
    spec = _spec(qiskit_toolkit, [BELL_QASM2, BELL_QASM2], "aws_sv1", shots=10)
    (first,) = east.expect_create(1)
    east.error("create_quantum_task", "ServiceQuotaExceededException", "Too many tasks")
    east.states(first, "QUEUED")
    east.cancelled(first)
    with pytest.raises(ProviderError, match="quota is exhausted") as raised:
        backend.submit(backend.get_device("aws_sv1"), spec, KEYS)
    assert "creating quantum task 2 on aws_sv1" in str(raised.value)
    east.stub.assert_no_pending_responses()


def test_ionq_debiasing_is_sent_per_task(cloud, qiskit_toolkit):
    east = cloud["us-east-1"]
    east.device(FORTE, "Forte 1", "IonQ", "QPU", ionq_capabilities())
    backend = cloud.backend()
    device = backend.get_device("aws_ionq_forte_1")
    spec = _spec(
        qiskit_toolkit,
        [BELL_QASM2, X_ON_QUBIT0_OF_3],
        "aws_ionq_forte_1",
        shots=2500,
        use_mitigation=True,
    )
    backend.validate(device, spec)
    arns = east.expect_create_with_parameters(2)
    ids = backend.submit(device, spec, KEYS)
    for created in east.created:
        parameters = json.loads(created["deviceParameters"])
        assert parameters["errorMitigation"] == [
            {"type": "braket.device_schema.error_mitigation.debias.Debias"}
        ]
        assert json.loads(created["action"])["braketSchemaHeader"]["name"] == (
            "braket.ir.openqasm.program"
        )
    for arn in arns:
        east.states(arn, "COMPLETED", "COMPLETED")
    execution = backend.fetch(device, spec, ids, KEYS)
    bell, x = execution.outputs
    assert x == {"001": 1.0} and sum(bell.values()) == pytest.approx(1.0)
    assert execution.mitigation["method"] == "ionq_debiasing" and execution.raw_outputs is None
    assert execution.cost.usd == pytest.approx(2 * 0.30 + 5000 * 0.08)
    too_few = _spec(
        qiskit_toolkit, [BELL_QASM2], "aws_ionq_forte_1", shots=1000, use_mitigation=True
    )
    with pytest.raises(BadRequest, match="at least 2500 shots"):
        backend.validate(device, too_few)


def _distance(distribution, ideal):
    total = sum(distribution.values())
    keys = set(distribution) | set(ideal)
    return 0.5 * sum(abs(distribution.get(k, 0) / total - ideal.get(k, 0)) for k in keys)


def test_readout_mitigation_on_a_noisy_qpu_stand_in(noisy_cloud, qiskit_toolkit, seeded_braket):
    # Seeded (the stand-in samples with Braket's simulator, and the transpiler picks the
    # qubits): unseeded, 4000 shots and a 4000-shot calibration put the mitigated/raw distance
    # ratio at 0.09 ± 0.03 with a long tail, over 1/4 in about 1e-4 of runs.
    seeded_braket(3)
    north = noisy_cloud["eu-north-1"]  # every measured bit flips with probability 0.1
    north.device(GARNET, "Garnet", "IQM", "QPU", garnet_capabilities())
    backend = noisy_cloud.backend()
    device = backend.get_device("aws_iqm_garnet")
    spec = _spec(
        qiskit_toolkit,
        [ghz(3)],
        "aws_iqm_garnet",
        shots=4000,
        use_mitigation=True,
        options={"seed_transpiler": 1},
    )
    (arn,) = north.expect_create(1)
    ids = backend.submit(device, spec, KEYS)
    action = json.loads(north.created[0]["action"])
    job, zeros, ones = (p["source"] for p in action["programs"])
    assert "qubit[" not in job and "$" in job  # pinned to device qubits
    measured = {int(q) for q in re.findall(r"measure \$(\d+)", job)}
    assert measured <= {1, 2, 3, 4, 5} and len(measured) == 3
    assert "x $" not in zeros and ones.count("x $") == 3
    assert north.created[0]["shots"] == 3 * 4000
    north.states(arn, "COMPLETED", "COMPLETED")
    execution = backend.fetch(device, spec, ids, KEYS)
    (mitigated,), (raw,) = execution.outputs, execution.raw_outputs
    ideal = {"000": 0.5, "111": 0.5}
    assert _distance(raw, ideal) > 0.2
    assert _distance(mitigated, ideal) < _distance(raw, ideal) / 4
    calibration = execution.mitigation["calibration"]
    assert set(calibration["qubits"]) == measured and calibration["cached"] is False
    assert execution.cost.usd == pytest.approx(0.30 + 12000 * 0.00145)


def test_without_physical_qubits_no_calibration_is_tied_to_the_job(noisy_cloud, qiskit_toolkit):
    north = noisy_cloud["eu-north-1"]
    north.device(GARNET, "Garnet", "IQM", "QPU", garnet_capabilities(physical_qubits=False))
    backend = noisy_cloud.backend()
    device = backend.get_device("aws_iqm_garnet")
    spec = _spec(qiskit_toolkit, [BELL_QASM2], "aws_iqm_garnet", shots=100, use_mitigation=True)
    (arn,) = north.expect_create(1)
    ids = backend.submit(device, spec, KEYS)
    assert len(json.loads(north.created[0]["action"])["programs"]) == 1
    north.states(arn, "COMPLETED", "COMPLETED")
    execution = backend.fetch(device, spec, ids, KEYS)
    assert execution.mitigation["applied"] is False
    assert "own qubits" in execution.mitigation["reason"]


def test_exact_results_from_sv1_at_zero_shots(cloud, qiskit_toolkit):
    east = cloud["us-east-1"]
    east.device(SV1, "SV1", "Amazon Braket", "SIMULATOR", sv1_capabilities())
    backend = cloud.backend()
    device = backend.get_device("aws_sv1")
    spec = _spec(
        qiskit_toolkit,
        [X_ON_QUBIT0_OF_3, ghz(3, measure=False)],
        "aws_sv1",
        run_type=RunType.STATEVECTOR,
    )
    arns = east.expect_create(2)
    ids = backend.submit(device, spec, KEYS)
    assert {c["shots"] for c in east.created} == {0}
    assert "#pragma braket result amplitude" in json.loads(east.created[0]["action"])["source"]
    for arn in arns:
        east.states(arn, "COMPLETED", "COMPLETED")
    for output, source in zip(
        backend.fetch(device, spec, ids, KEYS).outputs,
        [X_ON_QUBIT0_OF_3, ghz(3, measure=False)],
        strict=True,
    ):
        expected = Statevector(parse_qasm(source).remove_final_measurements(inplace=False)).data
        np.testing.assert_allclose(
            np.array(output[0]) + 1j * np.array(output[1]), expected, atol=1e-12
        )
    observables = [[["ZZ"], [1.0]], [["XX", "II"], [1.0, 0.5]]]
    exact = _spec(
        qiskit_toolkit,
        [BELL_NO_MEASURE],
        "aws_sv1",
        run_type=RunType.STATEVECTOR,
        observables=observables,
    )
    east.device(SV1, "SV1", "Amazon Braket", "SIMULATOR", sv1_capabilities())
    (arn,) = east.expect_create(1)
    ids = backend.submit(device, exact, KEYS)
    east.states(arn, "COMPLETED", "COMPLETED")
    ((zz, xx),) = backend.fetch(device, exact, ids, KEYS).outputs
    assert (zz, xx) == (pytest.approx(1.0), pytest.approx(1.5))


def test_sv1_state_vectors_are_limited_to_what_amplitudes_can_name(braket, qiskit_toolkit):
    device = braket.get_device("aws_sv1")
    braket.validate(
        device, make_spec(qiskit_toolkit, [ghz(10)], "aws_sv1", run_type=RunType.STATEVECTOR)
    )
    with pytest.raises(BadRequest, match="up to 10 qubits"):
        braket.validate(
            device, make_spec(qiskit_toolkit, [ghz(11)], "aws_sv1", run_type=RunType.STATEVECTOR)
        )


def test_credentials_reach_the_session_and_nothing_else(cloud, qiskit_toolkit, caplog):
    caplog.set_level(logging.DEBUG)
    east = cloud["us-east-1"]
    east.device(SV1, "SV1", "Amazon Braket", "SIMULATOR", sv1_capabilities())
    backend = cloud.backend()
    device = backend.get_device("aws_sv1")
    spec = _spec(qiskit_toolkit, [BELL_QASM2], "aws_sv1", shots=10)
    (arn,) = east.expect_create(1)
    ids = backend.submit(device, spec, KEYS)
    east.states(arn, "FAILED", reason="Device rejected the circuit")
    state = backend.poll(device, ids, KEYS)
    east.error("get_quantum_task", "AccessDeniedException", "User is not authorized")
    with pytest.raises(ProviderError) as denied:
        backend.poll(device, ids, KEYS)
    assert all(c == KEYS for c, _ in cloud.factory_calls)  # they were used
    secret = KEYS["aws_secret_access_key"]
    seen = [str(ids), repr(state), str(denied.value), caplog.text, json.dumps(east.created)]
    assert not [text for text in seen if secret in text or KEYS["aws_access_key_id"] in text]


def test_the_default_session_uses_the_given_keys_without_the_network():
    from qdispatch_braket.session import boto_session, default_session_factory, region_for

    session = boto_session({**KEYS, "aws_session_token": "tok"}, "eu-north-1")
    credentials = session.get_credentials()
    assert (credentials.access_key, credentials.secret_key, credentials.token) == (
        KEYS["aws_access_key_id"],
        KEYS["aws_secret_access_key"],
        "tok",
    )
    assert default_session_factory(KEYS, "us-west-1").region == "us-west-1"
    assert region_for("eu-north-1", {"aws_default_region": "us-west-2"}) == "eu-north-1"
    assert region_for(None, {"aws_default_region": "us-west-2"}) == "us-west-2"


def test_throttling_while_following_a_job_is_a_passing_trouble(cloud):
    east = cloud["us-east-1"]
    backend = cloud.backend()
    for _ in range(3):  # the SDK itself retries throttled reads twice
        east.error("get_quantum_task", "ThrottlingException", "Rate exceeded", 429)
    with pytest.raises(ProviderUnavailable, match="throttling"):
        backend.poll(backend.get_device("aws_sv1"), [stub.task_arn("us-east-1")], KEYS)
    east.error("get_quantum_task", "AccessDeniedException", "User is not authorized")
    with pytest.raises(ProviderError) as denied:
        backend.poll(backend.get_device("aws_sv1"), [stub.task_arn("us-east-1")], KEYS)
    assert not isinstance(denied.value, ProviderUnavailable)
    assert "IAM policy" in str(denied.value)
