"""Column types that give the domain back exactly what it stored, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, LargeBinary, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from qdispatch_sql import compact


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime, to the microsecond.

    PostgreSQL keeps `timestamptz` and answers in the session's time zone; SQLite keeps naive
    text. Both are normalised to UTC on the way in and marked UTC on the way out, so a value
    reads back equal and with the same `tzinfo`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing a naive datetime {value.isoformat()}: use UTC")
        value = value.astimezone(UTC)
        # SQLite's text format has no offset; storing UTC wall time keeps ordering correct.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JsonText(TypeDecorator[Any]):
    """A small JSON document kept as text: readable in a dump, identical on both databases.

    Python None is SQL NULL, so "not given" stays distinct from an empty list or dict.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


class CompactValue(TypeDecorator[Any]):
    """Job results in the compact binary form of `qdispatch_sql.compact`."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        return None if value is None else compact.encode(value)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> Any:
        return None if value is None else compact.decode(bytes(value))
