"""The Repository port on SQLAlchemy: SQLite by default, PostgreSQL by URL, same code."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import URL, Engine

from qdispatch_core.ports import Repository, UnitOfWork
from qdispatch_sql import engine as engines
from qdispatch_sql.billing import SqlBilling
from qdispatch_sql.errors import SchemaNotReady
from qdispatch_sql.jobs import SqlJobs
from qdispatch_sql.migrate import ensure_schema
from qdispatch_sql.reports import SqlReports
from qdispatch_sql.stores import SqlCircuits, SqlExperiments, SqlSecrets, SqlUsers


class SqlUnitOfWork(UnitOfWork):
    """One database transaction on one pooled connection.

    The transaction begins with the first statement; after `commit()` the next statement
    begins another, as the port allows further work after a commit.
    """

    def __init__(self, engine: Engine) -> None:
        self._conn = engine.connect()
        self.users = SqlUsers(self._conn)
        self.experiments = SqlExperiments(self._conn)
        self.circuits = SqlCircuits(self._conn)
        self.jobs = SqlJobs(self._conn)
        self.secrets = SqlSecrets(self._conn)
        self.billing = SqlBilling(self._conn)
        self.reports = SqlReports(self._conn)

    def commit(self) -> None:
        self._conn.commit()

    def rollback(self) -> None:
        self._conn.rollback()

    def close(self) -> None:
        self._conn.close()


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
        try:
            ensure_schema(self.engine, create=create)
        except BaseException:
            self.engine.dispose()
            raise

    def begin(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"SqlRepository({self.url.render_as_string(hide_password=True)!r})"


def _require_sqlite_file(url: URL) -> None:
    # Connecting would silently create an empty file where the user expected their data.
    if url.get_backend_name() == "sqlite" and not Path(url.database).exists():
        raise SchemaNotReady(f"no SQLite database at {url.database}")
