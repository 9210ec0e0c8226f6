"""The API key: sent to IonQ in the Authorization header, and nowhere else (no log line, no
message, no output, no stored field)."""

from __future__ import annotations

import logging

import pytest

from qdispatch_core.errors import ProviderError
from qdispatch_core.ports import JobSpec
from qdispatch_core.registry import BackendRegistry
from qdispatch_core.testing import FakeCipher, InMemoryRepository
from qdispatch_core.usecases import Services, create_experiment, ensure_user, get_job, submit_run
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_ionq import IonQBackend
from qdispatch_qiskit import QiskitToolkit
from tests.conftest import run_all
from tests.contract.backend_contract import drive, make_spec
from tests.providers.ionq.conftest import API_KEY
from tests.providers.ionq.fake_ionq import FakeIonQ
from tests.samples import BELL_QASM2


def _everything_logged(caplog) -> str:
    return "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)


def test_the_key_travels_only_in_the_authorization_header(caplog, qiskit_toolkit):
    caplog.set_level(logging.DEBUG)
    fake = FakeIonQ(API_KEY)
    try:
        backend = IonQBackend(remote_host=fake.url)
        credentials = {"ionq_api_key": API_KEY}
        devices = backend.list_devices(credentials)
        spec = make_spec(
            qiskit_toolkit, [BELL_QASM2], "ionq_qpu_forte_1", shots=600, use_mitigation=True
        )
        ids, state, execution = drive(backend, spec, credentials, timeout=30)
        backend.cancel(backend.get_device("ionq_qpu_forte_1"), ids, credentials)
    finally:
        fake.close()
    assert fake.authorizations() == {f"apiKey {API_KEY}"}
    assert len(fake.requests) >= 6  # backends, create, status, results, cost, cancel's read
    for _, path, query, _, body in fake.requests:
        assert API_KEY not in f"{path} {query} {body}"
    assert API_KEY not in _everything_logged(caplog)
    assert any("127.0.0.1" in r.getMessage() for r in caplog.records)  # DEBUG was on
    returned = f"{ids} {state} {execution} {devices}"  # what the worker would store
    assert API_KEY not in returned


class RecordingIonQ(IonQBackend):
    """Keeps every spec the worker hands over, and the credentials that came with it."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.handed: list[tuple[JobSpec, dict[str, str]]] = []

    def submit(self, device, spec, credentials):
        self.handed.append((spec, dict(credentials)))
        return super().submit(device, spec, credentials)


def test_a_key_given_in_options_is_stored_nowhere(caplog):
    """Submitted through the API with the key in options and run by the worker: the key
    reaches IonQ, but the stored job record, the spec the worker builds from it, the
    response and the log never hold it (only its sealed form is stored)."""
    caplog.set_level(logging.DEBUG)
    fake = FakeIonQ(API_KEY)
    try:
        backend = RecordingIonQ(remote_host=fake.url)
        registry = BackendRegistry(use_entry_points=False)
        registry.add(backend)
        repository = InMemoryRepository()
        services = Services(repository, registry, QiskitToolkit(), FakeCipher())
        user = ensure_user(services, "alice", 100)
        experiment = create_experiment(services, user, "ionq")
        request = {
            "experiment_id": experiment.id,
            "circuits_qasm": [BELL_QASM2],
            "device_id": "ionq_simulator",
            "shots": 100,
            "options": {"ionq_api_key": API_KEY},
        }
        job_id = submit_run(services, user, request).job_id
        assert repository.state.secrets  # kept for the worker, sealed (FakeCipher's not plain)
        assert API_KEY not in str(repository.state)
        run_all(JobRunner(services, WorkerConfig("w1"), sleep=lambda s: None))
        response = get_job(services, user, job_id)
    finally:
        fake.close()
    assert response.job.status == "Done", response.job.error
    assert fake.authorizations() == {f"apiKey {API_KEY}"}  # the key did reach IonQ
    ((spec, credentials),) = backend.handed
    assert credentials == {"ionq_api_key": API_KEY}  # handed over beside the spec, not in it
    assert API_KEY not in repr(spec)
    assert API_KEY not in str(repository.state)  # the job record, its results, its logs
    assert API_KEY not in response.model_dump_json()
    assert API_KEY not in _everything_logged(caplog)


def test_a_refused_key_is_an_actionable_error_without_the_key(caplog, qiskit_toolkit):
    caplog.set_level(logging.DEBUG)
    fake = FakeIonQ("the-right-key")
    try:
        backend = IonQBackend(remote_host=fake.url, max_retry_seconds=0)
        spec = make_spec(qiskit_toolkit, [BELL_QASM2], "ionq_simulator", shots=10)
        device = backend.get_device("ionq_simulator")
        with pytest.raises(ProviderError) as submitted:
            backend.submit(device, spec, {"ionq_api_key": API_KEY})
        with pytest.raises(ProviderError) as polled:
            backend.poll(device, ["some-job"], {"ionq_api_key": API_KEY})
    finally:
        fake.close()
    for caught in (submitted, polled):
        message = str(caught.value)
        assert "401" in message and "ionq_api_key" in message and API_KEY not in message
    assert API_KEY not in _everything_logged(caplog)


def test_the_connection_does_not_print_its_key():
    from qdispatch_ionq.session import Connection

    connection = Connection("https://api.ionq.co", API_KEY)
    assert API_KEY not in repr(connection) and API_KEY not in connection.fingerprint
