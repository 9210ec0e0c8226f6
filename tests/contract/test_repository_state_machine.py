"""The repository state machine against the in-memory, SQLite and PostgreSQL repositories."""

from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from qdispatch_core.testing import InMemoryRepository
from tests.adapters.sql.databases import fresh_postgres, fresh_sqlite
from tests.contract.repository_state_machine import repository_machine

# Modest sizes: every example opens a fresh database.
STEPS = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextmanager
def fresh_in_memory():
    yield InMemoryRepository()


def test_in_memory_repository_matches_the_model():
    run_state_machine_as_test(repository_machine(fresh_in_memory), settings=STEPS)


def test_sqlite_repository_matches_the_model(sqlite_template):
    machine = repository_machine(lambda: fresh_sqlite(sqlite_template))
    run_state_machine_as_test(machine, settings=STEPS)


@pytest.mark.postgres
def test_postgres_repository_matches_the_model(postgres_server, postgres_template):
    machine = repository_machine(lambda: fresh_postgres(postgres_server, postgres_template))
    run_state_machine_as_test(machine, settings=STEPS)
