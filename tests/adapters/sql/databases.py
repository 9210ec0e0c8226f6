"""Fresh SQL repositories for tests: SQLite files and PostgreSQL databases.

Each is a copy of a template that already has the schema, made once per session: copying is
many times cheaper than migrating every new database (the migrations have their own tests).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from qdispatch_sql import SqlRepository
from tests.postgres import PostgresServer


def sqlite_url(directory: Path, name: str = "qdispatch.db") -> str:
    return f"sqlite:///{directory / name}"


@contextmanager
def fresh_sqlite(template: Path) -> Iterator[SqlRepository]:
    with tempfile.TemporaryDirectory(prefix="qdispatch-sqlite-") as directory:
        shutil.copyfile(template, Path(directory) / "qdispatch.db")
        repository = SqlRepository(sqlite_url(Path(directory)))
        try:
            yield repository
        finally:
            repository.close()


@contextmanager
def fresh_postgres(server: PostgresServer, template: str) -> Iterator[SqlRepository]:
    name, url = server.create_database(template)
    repository = SqlRepository(url)
    try:
        yield repository
    finally:
        repository.close()
        server.drop_database(name)


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """The name of a database with the current schema, to copy from."""
    name, url = postgres_server.create_database()
    SqlRepository(url).close()  # applies the migrations; no connection may stay open
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the current schema, to copy from."""
    directory = tmp_path_factory.mktemp("sqlite-template")
    SqlRepository(sqlite_url(directory)).close()  # closing checkpoints the WAL into the file
    return directory / "qdispatch.db"


@pytest.fixture
def sqlite_repository(sqlite_template: Path) -> Iterator[SqlRepository]:
    with fresh_sqlite(sqlite_template) as repository:
        yield repository


@pytest.fixture
def postgres_repository(postgres_server, postgres_template) -> Iterator[SqlRepository]:
    with fresh_postgres(postgres_server, postgres_template) as repository:
        yield repository
