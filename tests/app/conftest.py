from __future__ import annotations

import pytest

from qdispatch import App, Client, Settings
from qdispatch_core.registry import BackendRegistry
from qdispatch_core.testing import FakeBackend, FakeCipher, FakeCircuitToolkit, InMemoryRepository


def fake_app(tmp_path, backend: FakeBackend | None = None, **settings) -> App:
    """The app wired to the core's fakes (no SQL, no Qiskit): what the doors see, in memory."""
    registry = BackendRegistry(use_entry_points=False)
    registry.add(backend or FakeBackend())
    base = Settings.from_env({"QDISPATCH_HOME": str(tmp_path)})
    values = {**base.__dict__, "worker_threads": 2, **settings}
    return App(
        Settings(**values),
        repository=InMemoryRepository(),
        backends=registry,
        toolkit=FakeCircuitToolkit(),
        cipher=FakeCipher(),
    )


@pytest.fixture
def app(tmp_path):
    app = fake_app(tmp_path)
    yield app
    app.close()


@pytest.fixture
def client(app):
    return Client(app=app)


@pytest.fixture(scope="module")
def aer_client(tmp_path_factory):
    """The embedded default for real: SQLite in a temporary home, Aer and the other installed
    providers, the Qiskit toolkit, a worker in this process (one per test module)."""
    home = tmp_path_factory.mktemp("home")
    client = Client(app=App(Settings.from_env({"QDISPATCH_HOME": str(home)})), progress=False)
    yield client
    client.close()
