"""Fixtures every test directory may use: the core wired to its fakes."""

from __future__ import annotations

import pytest

from qdispatch_core.registry import BackendRegistry
from qdispatch_core.testing import FakeBackend, FakeCipher, FakeCircuitToolkit, InMemoryRepository
from qdispatch_core.usecases import Services, create_experiment, ensure_user
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig


def fake_services(backend: FakeBackend | None = None, **kwargs) -> Services:
    registry = BackendRegistry(use_entry_points=False)
    registry.add(backend or FakeBackend())
    return Services(InMemoryRepository(), registry, FakeCircuitToolkit(), FakeCipher(), **kwargs)


@pytest.fixture
def fake_backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def services(fake_backend: FakeBackend) -> Services:
    return fake_services(fake_backend)


@pytest.fixture
def user(services: Services):
    return ensure_user(services, "alice", 100)


@pytest.fixture
def experiment(services: Services, user):
    return create_experiment(services, user, "exp")


@pytest.fixture
def runner(services: Services) -> JobRunner:
    return JobRunner(services, WorkerConfig("test-worker", lease_seconds=30))


def run_all(runner: JobRunner) -> list:
    """Drive every claimable job to a final status, as a worker would."""
    finished = []
    while (job := runner.claim_next()) is not None:
        finished.append(runner.run(job))
    return finished


# A real PostgreSQL server for the tests marked `postgres` (see tests/postgres.py).
from tests.postgres import postgres_server, postgres_url  # noqa: E402, F401
