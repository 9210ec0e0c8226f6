"""Database errors the adapter recognises, and its own."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

# SQLSTATE 23505 on PostgreSQL; SQLite names the constraint kind.
_UNIQUE_SQLSTATE = "23505"
_SQLITE_UNIQUE = ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")


class SchemaNotReady(RuntimeError):
    """The database's schema is missing, older or newer than this version of qdispatch-sql."""


def is_unique_violation(error: IntegrityError) -> bool:
    """True for a duplicate key; False for other integrity errors (e.g. a missing parent)."""
    original = error.orig
    if getattr(original, "sqlstate", None) == _UNIQUE_SQLSTATE:
        return True
    return getattr(original, "sqlite_errorname", None) in _SQLITE_UNIQUE
