"""SQL repository fixtures (see tests/adapters/sql/databases.py)."""

import pytest

from tests.adapters.sql.databases import (  # noqa: F401
    postgres_repository,
    postgres_template,
    sqlite_repository,
    sqlite_template,
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_repository(request):
    """A fresh SQL repository, once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_repository")
