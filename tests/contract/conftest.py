"""SQL repository fixtures (see tests/adapters/sql/databases.py)."""

from tests.adapters.sql.databases import (  # noqa: F401
    postgres_repository,
    postgres_template,
    sqlite_repository,
    sqlite_template,
)
