"""The Repository port on SQLAlchemy: SQLite by default, PostgreSQL by URL, same code."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import URL, Engine

from qdispatch_core.errors import Busy
from qdispatch_core.ports import Repository, UnitOfWork
from qdispatch_sql import engine as engines
from qdispatch_sql.billing import SqlBilling
from qdispatch_sql.errors import SchemaNotReady
from qdispatch_sql.jobs import SqlJobs
from qdispatch_sql.migrate import ensure_schema
from qdispatch_sql.reports import SqlReports
from qdispatch_sql.shards import SqlShards
from qdispatch_sql.stores import SqlCircuits, SqlExperiments, SqlSecrets, SqlUsers


class SqlUnitOfWork(UnitOfWork):
    """One database transaction on one pooled connection.

    A unit of work that may write begins at once (on SQLite: BEGIN IMMEDIATE, the write lock,
    retried until the busy timeout); a read-only one begins with its first statement, as a
    deferred transaction that never waits for a writer, and never commits. After `commit()`
    the next statement begins another transaction, as the port allows.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        read_only: bool = False,
        writer: threading.Lock | None = None,
    ) -> None:
        self.read_only = read_only
        # SQLite: this process's writers queue on `writer` before BEGIN IMMEDIATE (see
        # SqlRepository), released once this transaction ends.
        self._writer: threading.Lock | None = None
        if writer is not None and not read_only:
            if not writer.acquire(timeout=engines.SQLITE_BUSY_TIMEOUT_S):
                raise Busy(engines.BUSY_MESSAGE)
            self._writer = writer
        try:
            self._conn = engine.connect()
        except BaseException:
            self._release_writer()
            raise
        if read_only and engine.dialect.name == "sqlite":
            engines.mark_read_only(self._conn)
        elif read_only:
            self._conn = self._conn.execution_options(postgresql_readonly=True)
        else:
            try:
                _begin_writing(self._conn)
            except BaseException:
                self._release_writer()
                raise
        self.users = SqlUsers(self._conn)
        self.experiments = SqlExperiments(self._conn)
        self.circuits = SqlCircuits(self._conn)
        self.jobs = SqlJobs(self._conn)
        self.shards = SqlShards(self._conn)
        self.secrets = SqlSecrets(self._conn)
        self.billing = SqlBilling(self._conn)
        self.reports = SqlReports(self._conn)

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        try:
            self._conn.commit()
        finally:
            self._release_writer()

    def rollback(self) -> None:
        try:
            self._conn.rollback()
        finally:
            self._release_writer()

    def close(self) -> None:
        try:
            if self.read_only:
                engines.unmark(self._conn)
            self._conn.close()
        finally:
            self._release_writer()

    def _release_writer(self) -> None:
        # A statement after commit() begins a new transaction without it: SQLite's own lock
        # (and busy timeout) still serialise that one; the queue is only the fast path.
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.release()


class SqlRepository(Repository):
    """Jobs and everything around them in a SQL database.

    `url`: `sqlite:///path/to/file.db` (parent directories are created) or
    `postgresql+psycopg://user:password@host/database` (`postgresql://` means the same).
    The schema is created or upgraded on opening; with `create=False` the database must
    already be at the current revision (SchemaNotReady otherwise) and nothing is created.
    """

    def __init__(self, url: str | URL, *, create: bool = True) -> None:
        self.url = engines.database_url(url)
        if not create:
            _require_sqlite_file(self.url)
        self.engine = engines.create(self.url)
        # SQLite lets one writer in at a time, and a writer that finds the lock taken sleeps
        # in SQLite's busy handler (1, 2, 5, 10… ms) before it looks again: under many small
        # jobs the submitting thread and the worker threads of one process lost most of their
        # time there (issue 15). Writers of this process queue on a lock instead and go in the
        # moment the previous one ends; other processes still meet SQLite's busy timeout.
        self._writer = threading.Lock() if self.engine.dialect.name == "sqlite" else None
        try:
            ensure_schema(self.engine, create=create)
        except BaseException:
            self.engine.dispose()
            raise

    def begin(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, writer=self._writer)

    def read(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, read_only=True)

    def listen(self, wake: Callable[[], None]) -> Callable[[], None] | None:
        if self.engine.dialect.name != "postgresql":
            return None
        from qdispatch_sql.wakeups import Listener

        return Listener(self.url, wake).start().stop

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"SqlRepository({self.url.render_as_string(hide_password=True)!r})"


def _begin_writing(conn) -> None:
    """Begin a writing transaction. SQLite's busy handler already waits for the lock; it
    answers "locked" at once in a few cases it cannot wait through (two connections each
    switching a fresh file to WAL), so those are tried again until the busy timeout."""
    deadline = time.monotonic() + engines.SQLITE_BUSY_TIMEOUT_S
    delay = 0.005
    while True:
        try:
            conn.begin()
            return
        except Busy:
            conn.rollback()
            if time.monotonic() + delay > deadline:
                conn.close()
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
        except BaseException:
            conn.close()
            raise


def _require_sqlite_file(url: URL) -> None:
    # Connecting would silently create an empty file where the user expected their data.
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        raise SchemaNotReady(f"no SQLite database at {url.database}")
