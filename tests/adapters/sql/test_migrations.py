"""Alembic migrations: upgrade from empty, downgrade, upgrade again; applied on opening."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from qdispatch_sql import SchemaNotReady, SqlRepository, migrate
from qdispatch_sql.engine import create
from qdispatch_sql.schema import metadata
from tests.adapters.sql.databases import sqlite_url
from tests.adapters.sql.test_concurrency import race
from tests.contract.repository_contract import make_user

TABLES = {
    "users",
    "api_keys",
    "experiments",
    "circuits",
    "jobs",
    "job_shards",
    "job_secrets",
    "ledger_entries",
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path) -> str:
    """The URL of a database without any tables."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(empty_url):
    engine = create(empty_url)
    yield engine
    engine.dispose()


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {migrate.VERSION_TABLE}


def differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": migrate.VERSION_TABLE})
        return compare_metadata(context, metadata)


def test_upgrade_from_empty_downgrade_and_upgrade_again(engine, empty_url):
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.HEAD
    assert tables(engine) == TABLES
    assert differences(engine) == []  # the migrations build exactly the tables the code uses

    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    assert tables(engine) == set()

    migrate.upgrade(engine)
    assert tables(engine) == TABLES and differences(engine) == []
    repository = SqlRepository(empty_url, create=False)
    with repository.begin() as uow:
        uow.users.add(make_user())
        uow.commit()
    repository.close()


def test_head_is_the_newest_migration():
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert script.get_current_head() == migrate.HEAD


def test_opening_migrates_a_new_or_older_database(engine, empty_url):
    SqlRepository(empty_url).close()
    assert migrate.current_revision(engine) == migrate.HEAD
    migrate.downgrade(engine, "base")  # as if written by an older qdispatch
    SqlRepository(empty_url).close()
    assert migrate.current_revision(engine) == migrate.HEAD and tables(engine) == TABLES


def test_opening_an_up_to_date_database_runs_no_migration(engine, empty_url, monkeypatch):
    SqlRepository(empty_url).close()

    def refuse(*args, **kwargs):
        raise AssertionError("an up-to-date database was migrated again")

    monkeypatch.setattr(migrate, "upgrade", refuse)
    monkeypatch.setattr(migrate, "known_revisions", refuse)
    SqlRepository(empty_url).close()  # `refuse` fails the test if it migrates again


def test_opening_an_up_to_date_database_does_not_even_import_alembic(tmp_path):
    url = sqlite_url(tmp_path)
    SqlRepository(url).close()
    check = (
        "import sys; from qdispatch_sql import SqlRepository; "
        f"SqlRepository({url!r}).close(); assert 'alembic' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", check], check=True, timeout=60)


def test_several_openers_of_a_new_database_at_once(engine, empty_url):
    def open_and_close(i: int) -> str:
        SqlRepository(empty_url).close()
        return migrate.current_revision(engine)

    assert race(4, open_and_close) == [migrate.HEAD] * 4
    assert tables(engine) == TABLES


def test_create_false_needs_the_current_schema(engine, empty_url):
    assert migrate.current_revision(engine) is None  # the database exists, without tables
    with pytest.raises(SchemaNotReady, match="no qdispatch schema"):
        SqlRepository(empty_url, create=False)
    assert tables(engine) == set()


def test_create_false_does_not_create_a_sqlite_file(tmp_path):
    missing = tmp_path / "nowhere" / "qdispatch.db"
    with pytest.raises(SchemaNotReady, match="no SQLite database"):
        SqlRepository(f"sqlite:///{missing}", create=False)
    assert not Path(missing).parent.exists()


def test_a_schema_newer_than_this_code_is_refused(engine, empty_url):
    SqlRepository(empty_url).close()
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {migrate.VERSION_TABLE} SET version_num = '9999'"))
    with pytest.raises(SchemaNotReady, match="upgrade qdispatch"):
        SqlRepository(empty_url)


def test_many_fresh_sqlite_files_opened_by_racing_threads(tmp_path):
    # Switching a new file to WAL races between openers and SQLite does not wait on its busy
    # handler for it; without the engine's retry about one round in twenty failed.
    for round_ in range(40):
        url = sqlite_url(tmp_path / str(round_))
        assert race(4, lambda i, url=url: SqlRepository(url).close()) == [None] * 4
