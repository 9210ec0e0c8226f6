"""M1: a run carrying an IonQ key resolves its device against the account's list on the request
path. When IonQ does not answer, that costs the request one short try, not ~25 s of retries,
and the next requests none at all for a while: the catalog answers."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from qdispatch_core.registry import BackendRegistry
from qdispatch_ionq import IonQBackend
from qdispatch_ionq.backend import LISTING_TIMEOUT_S
from tests.providers.ionq.conftest import API_KEY


@pytest.fixture
def black_hole():
    """A host that accepts connections and never answers (a hung IonQ)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


def test_an_unanswering_ionq_costs_one_short_try_then_nothing(black_hole, caplog):
    backend = IonQBackend(remote_host=black_hole)
    credentials = {"ionq_api_key": API_KEY}
    start = time.monotonic()
    devices = backend.list_devices(credentials)
    first = time.monotonic() - start
    catalog = [d.id for d in IonQBackend().list_devices()]
    assert [d.id for d in devices] == catalog
    assert first < LISTING_TIMEOUT_S + 10  # one try with a short timeout, no retries
    start = time.monotonic()
    for _ in range(20):  # the next requests: the catalog at once
        assert [d.id for d in backend.list_devices(credentials)] == catalog
    assert time.monotonic() - start < 2
    assert "using the catalog" in caplog.text and API_KEY not in caplog.text


def test_the_registry_resolves_a_catalogued_device_while_ionq_hangs(black_hole):
    registry = BackendRegistry(use_entry_points=False)
    registry.add(IonQBackend(remote_host=black_hole))
    start = time.monotonic()
    backend, device = registry.resolve("ionq_simulator", {"ionq_api_key": API_KEY})
    assert device.id == "ionq_simulator" and time.monotonic() - start < LISTING_TIMEOUT_S + 10
