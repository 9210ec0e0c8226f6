"""Schema migrations with Alembic, configured in code (no alembic.ini at runtime).

A database is brought to the newest revision when it is opened: first use creates the schema,
a newer qdispatch-sql upgrades an older schema. Opening an up-to-date database costs one
lookup of the stored revision against `HEAD`; Alembic itself (a tenth of a second to import)
and the migration scripts are loaded only when something needs doing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, func, inspect, select, text

from qdispatch_sql.errors import SchemaNotReady

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = "qdispatch_sql:migrations"
# Our own name, so the schema can share a PostgreSQL database with other Alembic users.
VERSION_TABLE = "qdispatch_schema_version"
# The newest revision under migrations/versions (a test keeps the two in step).
HEAD = "0004"
# Any fixed 64-bit number: the key of the PostgreSQL advisory lock held while migrating.
_MIGRATION_LOCK_KEY = 0x7164_6973_7061_7463


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration; migrations run on `connection`, inside its transaction."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    config.attributes["version_table"] = VERSION_TABLE
    return config


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None when it has no qdispatch schema."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        # The history is linear, so the table holds one row (none after a full downgrade).
        return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def _serialise(conn: Connection) -> None:
    # Two processes opening a fresh PostgreSQL database at once must not both create tables.
    # SQLite needs nothing: the transaction began with BEGIN IMMEDIATE, one writer at a time.
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK_KEY)))


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision`, all in one transaction."""
    from alembic import command

    with engine.begin() as conn:
        _serialise(conn)
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Revert migrations down to `revision` ("base": no qdispatch tables at all)."""
    from alembic import command

    with engine.begin() as conn:
        _serialise(conn)
        command.downgrade(alembic_config(conn), revision)


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {s.revision for s in script.walk_revisions()}


def ensure_schema(engine: Engine, *, create: bool) -> None:
    """Bring the schema to HEAD; with create=False only check that it is there."""
    current = current_revision(engine)
    if current == HEAD:
        return
    if current is not None and current not in known_revisions():
        raise SchemaNotReady(
            f"the database schema is at revision {current!r}, which this version of "
            f"qdispatch-sql does not know (its newest is {HEAD!r}): upgrade qdispatch"
        )
    if not create:
        state = "has no qdispatch schema" if current is None else f"is at revision {current!r}"
        raise SchemaNotReady(
            f"the database {state}; open it with create=True to migrate it to {HEAD!r}"
        )
    upgrade(engine)
