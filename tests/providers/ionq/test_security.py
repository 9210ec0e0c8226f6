"""The API key: sent to IonQ in the Authorization header, and nowhere else (no log line, no
message, no output, no stored field)."""

from __future__ import annotations

import logging

import pytest

from qdispatch_core.errors import ProviderError
from qdispatch_ionq import IonQBackend
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
    stored = f"{ids} {state} {execution} {devices} {spec}"
    assert API_KEY not in stored


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
    from qdispatch_ionq.connection import Connection

    connection = Connection("https://api.ionq.co", API_KEY)
    assert API_KEY not in repr(connection) and API_KEY not in connection.fingerprint
