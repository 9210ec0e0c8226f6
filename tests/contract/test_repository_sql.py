"""The Repository contract on SQLite and on a real PostgreSQL."""

import pytest

from tests.contract.repository_contract import RepositoryContract


class TestSqliteRepository(RepositoryContract):
    @pytest.fixture
    def repository(self, sqlite_repository):
        return sqlite_repository


@pytest.mark.postgres
class TestPostgresRepository(RepositoryContract):
    @pytest.fixture
    def repository(self, postgres_repository):
        return postgres_repository
