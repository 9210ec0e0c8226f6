"""IonQ jobs: what is sent, how many jobs a plan becomes, failures, cancellation, restarts."""

from __future__ import annotations

import json

import pytest

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import ProviderError, UnknownProviderState
from qdispatch_ionq import IonQBackend
from qdispatch_ionq.status import IONQ_STATUS, map_status
from tests.contract.backend_contract import drive, make_spec
from tests.providers.ionq.conftest import API_KEY, run_job
from tests.providers.ionq.fake_ionq import FakeIonQ
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, PARAM_2Q, ghz

S = JobStatus
CREDENTIALS = {"ionq_api_key": API_KEY}


@pytest.fixture
def make_fake():
    servers = []

    def make(**kwargs):
        server = FakeIonQ(API_KEY, **kwargs)
        servers.append(server)
        return server, IonQBackend(remote_host=server.url, max_retry_seconds=1)

    yield make
    for server in servers:
        server.close()


def _created(fake):
    return fake.bodies()


def test_a_job_is_sent_as_ionq_expects_it(fake, ionq, qiskit_toolkit):
    before = len(_created(fake))
    ids, _ = run_job(ionq, qiskit_toolkit, [BELL_QASM2], "ionq_qpu_forte_1", shots=600)
    (body,) = _created(fake)[before:]
    assert body["type"] == "ionq.circuit.v1" and body["backend"] == "qpu.forte-1"
    assert body["shots"] == "600" and body["input"]["gateset"] == "qis"
    assert {op["gate"] for op in body["input"]["circuit"]} <= {"h", "cnot", "rx", "ry", "rz"}
    assert body["metadata"]["qdispatch_job"] == "job_contract"
    assert body["settings"]["error_mitigation"] == {"debiasing": False}  # explicitly off
    assert "noise" not in body and ids == (fake.public(fake.jobs[ids[0]])["id"],)


def test_a_sweep_is_one_multi_circuit_job(fake, ionq, qiskit_toolkit):
    before = len(_created(fake))
    sets = [[0.1 * k, 0.2] for k in range(5)]
    ids, execution = run_job(ionq, qiskit_toolkit, [PARAM_2Q], shots=40, parameters=sets)
    (body,) = _created(fake)[before:]
    assert len(ids) == 1 and body["type"] == "ionq.multi-circuit.v1"
    assert len(body["input"]["circuits"]) == 5 and len(execution.outputs) == 5
    assert json.loads(body["metadata"]["qubit_numbers"]) == [2] * 5


def test_large_plans_are_split_into_several_jobs(fake, qiskit_toolkit):
    backend = IonQBackend(remote_host=fake.url, max_circuits_per_job=2)
    sets = [[0.0, 0.0], [3.141592653589793, 0.0], [0.0, 3.141592653589793]]
    before = len(_created(fake))
    ids, execution = run_job(
        backend, qiskit_toolkit, [BELL_QASM2, PARAM_2Q], shots=10, parameters=[[], sets]
    )
    bodies = _created(fake)[before:]
    assert len(ids) == 2 == len(bodies)
    assert [b["type"] for b in bodies] == ["ionq.multi-circuit.v1"] * 2
    assert [b["name"] for b in bodies] == [
        "qdispatch job_contract part 1 of 2",
        "qdispatch job_contract part 2 of 2",
    ]
    assert execution.outputs[1:] == [{"00": 10}, {"10": 10}, {"11": 10}]  # order kept


def test_the_noise_model_and_its_seed_are_sent(fake, ionq, qiskit_toolkit):
    before = len(_created(fake))
    options = {"noise_model": "aria-1", "seed_simulator": 7}
    _, execution = run_job(ionq, qiskit_toolkit, [ghz(3)], shots=300, options=options)
    (body,) = _created(fake)[before:]
    assert body["noise"] == {"model": "aria-1", "seed": 7} and "settings" not in body
    (counts,) = execution.outputs
    assert sum(counts.values()) == 300
    assert any("noise model 'aria-1'" in n for n in execution.notes)


def test_a_failed_job_reports_ionqs_message(make_fake, qiskit_toolkit):
    fake, backend = make_fake(states=("running", "failed"), fail_error="Circuit too deep for QPU")
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], "ionq_simulator", shots=10)
    ids, state, execution = drive(backend, spec, CREDENTIALS, timeout=30)
    assert state.status is S.ERROR and execution is None
    assert state.message == f"IonQ job {ids[0]} failed: Circuit too deep for QPU"


def test_a_failed_part_cancels_the_other_parts(make_fake, qiskit_toolkit):
    fake, backend = make_fake(states=("submitted",))
    backend.max_circuits_per_job = 1
    spec = make_spec(qiskit_toolkit, [BELL_QASM2, ghz(3)], "ionq_simulator", shots=10)
    device = backend.get_device("ionq_simulator")
    ids = backend.submit(device, spec, CREDENTIALS)
    fake.jobs[ids[0]]["status"] = "failed"
    state = backend.poll(device, ids, CREDENTIALS)
    assert state.status is S.ERROR and fake.jobs[ids[1]]["status"] == "canceled"


def test_a_failed_submission_leaves_nothing_running(make_fake, qiskit_toolkit):
    fake, backend = make_fake(states=("submitted",))
    backend.max_circuits_per_job = 1
    fake.refuse_posts_after = 1
    spec = make_spec(qiskit_toolkit, [BELL_QASM2, ghz(3)], "ionq_simulator", shots=10)
    with pytest.raises(ProviderError, match="quota exceeded") as caught:
        backend.submit(backend.get_device("ionq_simulator"), spec, CREDENTIALS)
    assert len(str(caught.value)) < 700  # cirq puts the whole request body in its message
    (job,) = fake.jobs.values()
    assert job["status"] == "canceled"


def test_cancel_stops_a_queued_job_and_leaves_finished_ones_alone(make_fake, qiskit_toolkit):
    fake, backend = make_fake(states=("submitted",))
    device = backend.get_device("ionq_qpu_forte_1")
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], "ionq_qpu_forte_1", shots=10)
    ids = backend.submit(device, spec, CREDENTIALS)
    assert backend.poll(device, ids, CREDENTIALS).status is S.QUEUED
    backend.cancel(device, ids, CREDENTIALS)
    state = backend.poll(device, ids, CREDENTIALS)
    assert state.status is S.CANCELLED and "canceled" in state.message
    puts = [r for r in fake.requests if r[0] == "PUT"]
    assert [r[1] for r in puts] == [f"/v0.4/jobs/{ids[0]}/status/cancel"]
    fake.jobs[ids[0]]["status"] = "completed"  # IonQ would turn a completed job 'canceled'
    backend.cancel(device, ids, CREDENTIALS)
    assert len([r for r in fake.requests if r[0] == "PUT"]) == 1


def test_a_restarted_worker_reattaches_with_fresh_objects(fake, qiskit_toolkit):
    spec = make_spec(
        qiskit_toolkit,
        [BELL_NO_MEASURE],
        "ionq_simulator",
        shots=100,
        observables=[["ZZ", "XX"], [1.0, 1.0]],
    )
    first = IonQBackend(remote_host=fake.url)
    ids = first.submit(first.get_device("ionq_simulator"), spec, CREDENTIALS)
    posts = len(_created(fake))
    del first  # the worker process dies; only the stored ids remain

    second = IonQBackend(remote_host=fake.url)
    device = second.get_device("ionq_simulator")
    state = second.poll(device, ids, CREDENTIALS)
    while not state.status.is_final:
        state = second.poll(device, ids, CREDENTIALS)
    assert state.status is S.DONE and state.done == 2
    execution = second.fetch(device, spec, ids, CREDENTIALS)
    assert [sum(c.values()) for c in execution.outputs] == [100, 100]
    assert len(_created(fake)) == posts  # nothing submitted twice


def test_progress_counts_the_circuits_of_finished_jobs(make_fake, qiskit_toolkit):
    fake, backend = make_fake(states=("submitted",))
    backend.max_circuits_per_job = 2
    spec = make_spec(
        qiskit_toolkit, [PARAM_2Q], "ionq_simulator", shots=10, parameters=[[0.0, 0.0]] * 3
    )
    device = backend.get_device("ionq_simulator")
    ids = backend.submit(device, spec, CREDENTIALS)
    fake.jobs[ids[0]]["status"] = "completed"
    state = backend.poll(device, ids, CREDENTIALS)
    assert (state.status, state.done) == (S.RUNNING, 2)


def test_the_status_table_covers_every_ionq_status_and_nothing_else():
    from cirq_ionq import Job

    assert set(IONQ_STATUS) == set(Job.ALL_STATES)
    assert {map_status(s) for s in Job.TERMINAL_STATES} <= {S.DONE, S.ERROR, S.CANCELLED}
    assert {map_status(s) for s in Job.NON_TERMINAL_STATES} <= {S.QUEUED, S.RUNNING}
    with pytest.raises(UnknownProviderState, match="'paused'"):
        map_status("paused")


def test_an_unknown_status_from_ionq_is_an_error(make_fake, qiskit_toolkit):
    fake, backend = make_fake(states=("paused",))
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], "ionq_simulator", shots=10)
    device = backend.get_device("ionq_simulator")
    ids = backend.submit(device, spec, CREDENTIALS)
    with pytest.raises(UnknownProviderState):
        backend.poll(device, ids, CREDENTIALS)


def test_results_of_an_unfinished_job_are_refused(make_fake, qiskit_toolkit):
    fake, backend = make_fake(states=("running",))
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], "ionq_simulator", shots=10)
    device = backend.get_device("ionq_simulator")
    ids = backend.submit(device, spec, CREDENTIALS)
    with pytest.raises(ProviderError, match="has no results"):
        backend.fetch(device, spec, ids, CREDENTIALS)


def test_the_fake_speaks_the_list_endpoint_cirq_uses(fake, ionq, qiskit_toolkit):
    import cirq_ionq

    run_job(ionq, qiskit_toolkit, [BELL_QASM2], shots=10)
    service = cirq_ionq.Service(remote_host=fake.url, api_key=API_KEY)
    listed = service.list_jobs(batch_size=1)  # pages through `next`
    assert {j.job_id() for j in listed} == set(fake.jobs)
    assert fake.bodies("GET")[-1] == {"limit": 1}
