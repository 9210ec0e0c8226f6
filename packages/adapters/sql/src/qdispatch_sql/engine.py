"""Engines for the two supported databases, from a URL.

SQLite (`sqlite:///path/to/file.db`): WAL, so readers never block the writer; synchronous=NORMAL,
SQLite's advice for WAL (a crash of the process loses nothing; a power cut may lose the last
commits but never corrupts); a busy timeout, so a waiting writer waits instead of failing;
foreign keys on. A unit of work that may write starts
with BEGIN IMMEDIATE, taking the write lock up front: SQLite cannot upgrade a transaction that
has read into one that writes once another connection has committed meanwhile ("database is
locked" at once, whatever the timeout). A read-only unit of work (`Repository.read`) starts a
deferred transaction instead: under WAL it reads a snapshot and never waits for a writer.
"database is locked" never reaches a caller as SQLAlchemy's OperationalError: a writer retries
within the busy timeout, then gets the core's `Busy` (503).

PostgreSQL (`postgresql://…`, `postgresql+psycopg://…`): psycopg 3, READ COMMITTED; the stores
use compare-and-set UPDATEs and row locks where it matters.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url

from qdispatch_core.errors import Busy
from qdispatch_core.files import private_sqlite

# Seconds a writer waits for another's transaction before giving up.
SQLITE_BUSY_TIMEOUT_S = 30.0
# Marks a read-only unit of work's pooled SQLite connection (PostgreSQL has its own option).
READ_ONLY = "qdispatch_read_only"
BUSY_MESSAGE = (
    f"the database stayed locked by another writer for {SQLITE_BUSY_TIMEOUT_S:.0f} s; "
    "nothing was written, try again"
)

_POSTGRES_ALIASES = ("postgresql", "postgres", "postgresql+psycopg")


def database_url(url: str | URL) -> URL:
    """The URL qdispatch connects to: PostgreSQL through psycopg 3, SQLite on a file."""
    parsed = make_url(url)
    if parsed.drivername in _POSTGRES_ALIASES:
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "postgresql":
        return parsed  # a driver chosen explicitly
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ValueError(
                "qdispatch needs a SQLite file, not an in-memory database: "
                "use sqlite:///path/to/qdispatch.db"
            )
        return parsed
    raise ValueError(
        f"unsupported database {parsed.get_backend_name()!r}: qdispatch stores jobs in SQLite "
        "(sqlite:///path/to/qdispatch.db) or PostgreSQL (postgresql+psycopg://user@host/db)"
    )


def create(url: str | URL) -> Engine:
    """A configured engine for `url` (see `database_url` for what is accepted)."""
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    # pre-ping: a server restart or an idle timeout must not fail the next unit of work.
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    if url.database:  # an in-memory database has no file to protect
        private_sqlite(Path(url.database))  # 0600 files in a 0700 directory: qdispatch_core.files
    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
    )
    event.listen(engine, "connect", _configure_sqlite_connection)
    # BEGIN is the dialect's own step, not a "begin" event: one connection event listener
    # makes SQLAlchemy dispatch events around every statement of every connection, a sixth
    # of the SQL time of a small job (issue 15). `handle_error` is a dialect event: free.
    engine.dialect.do_begin = _begin  # type: ignore[method-assign,assignment]
    event.listen(engine, "handle_error", _locked_is_busy)
    return engine


def mark_read_only(connection: Connection) -> None:
    """The next transaction on `connection` (SQLite) only reads: BEGIN, not BEGIN IMMEDIATE.
    The mark lives on the pooled connection until that BEGIN takes it (or `unmark` does)."""
    connection.connection.info[READ_ONLY] = True


def unmark(connection: Connection) -> None:
    """A read-only unit of work that sent no statement leaves no mark for the next user."""
    if not connection.closed and not connection.invalidated:
        connection.connection.info.pop(READ_ONLY, None)


def is_locked(error: BaseException) -> bool:
    text = str(error)
    return "database is locked" in text or "database is busy" in text


def _locked_is_busy(context: Any) -> None:
    # Whatever statement met the lock (after SQLite's own busy timeout), the caller sees the
    # core's Busy, never the driver's OperationalError.
    if is_locked(context.original_exception):
        raise Busy(BUSY_MESSAGE) from None


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module's own transaction handling would send a plain BEGIN, and none at all
    # before SELECT or DDL; switching it off lets `_begin_immediate` decide.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
    _enable_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _enable_wal(cursor: Any) -> None:
    # Switching a fresh file to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at
    # once, without the busy handler, when another connection is switching it at the same
    # moment (several processes opening a new database). Retry until the busy timeout.
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    delay = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            if time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def _begin(pooled: Any) -> None:
    # `pooled`: the pool's proxy of the driver's connection (SQLAlchemy's `do_begin`).
    read_only = pooled.info.pop(READ_ONLY, False)
    # Straight to the driver: through SQLAlchemy's execution path a BEGIN cost about a tenth
    # of a millisecond, and every unit of work sends one (issue 15: a third of the statements
    # of a small job). The one error it can meet is the lock, which callers see as Busy.
    try:
        pooled.dbapi_connection.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if is_locked(error):
            raise Busy(BUSY_MESSAGE) from None
        raise
