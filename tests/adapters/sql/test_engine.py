"""Connecting: which URLs are accepted, and how SQLite connections are set up."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from qdispatch_sql import SqlRepository
from qdispatch_sql.engine import SQLITE_BUSY_TIMEOUT_S, create, database_url
from tests.contract.repository_contract import RepositoryContract, make_experiment, make_user


@pytest.mark.parametrize(
    "given, driver",
    [
        ("postgresql://u:p@db.example/q", "postgresql+psycopg"),
        ("postgres://u:p@db.example/q", "postgresql+psycopg"),
        ("postgresql+psycopg://u:p@db.example/q", "postgresql+psycopg"),
        ("sqlite:////var/lib/qdispatch/q.db", "sqlite"),
    ],
)
def test_postgresql_urls_use_psycopg_3(given, driver):
    assert database_url(given).drivername == driver


@pytest.mark.parametrize(
    "given, words",
    [
        ("sqlite://", "not an in-memory database"),
        ("sqlite:///:memory:", "not an in-memory database"),
        ("mysql://u@db.example/q", "unsupported database 'mysql'"),
    ],
)
def test_unsupported_urls_are_refused_with_what_to_use(given, words):
    with pytest.raises(ValueError, match=words):
        database_url(given)


def test_a_sqlite_file_gets_its_directories_and_settings(tmp_path):
    path = tmp_path / "deep" / "er" / "qdispatch.db"
    engine = create(f"sqlite:///{path}")
    with engine.connect() as conn:
        setting = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    engine.dispose()
    assert path.exists()
    assert setting == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": int(SQLITE_BUSY_TIMEOUT_S * 1000),
        "synchronous": 1,  # NORMAL
    }


def test_foreign_keys_are_enforced(sql_repository):
    orphan = make_experiment(make_user("ghost"))  # its owner was never stored
    with pytest.raises(IntegrityError), sql_repository.begin() as uow:
        uow.experiments.add(orphan)


def test_a_unit_of_work_may_go_on_after_a_commit(sql_repository):
    ((alice, experiment, _),) = RepositoryContract().seed(sql_repository)
    second = make_experiment(alice, "second", t=1)
    with sql_repository.begin() as uow:
        uow.users.add(make_user("bob"))
        uow.commit()
        uow.experiments.add(second)
        uow.commit()
    with sql_repository.begin() as uow:
        assert uow.users.by_name("bob") is not None
        assert uow.experiments.get(alice.id, second.id) == second


def test_the_repository_never_shows_the_password():
    repository = object.__new__(SqlRepository)  # not connected: only its description matters
    repository.url = database_url("postgresql://qd:s3cret-pw@db.example/q")
    assert "s3cret-pw" not in repr(repository) and "db.example" in repr(repository)
