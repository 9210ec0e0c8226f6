"""The ReportStore contract on SQLite and on a real PostgreSQL."""

import pytest

from tests.contract.reports_contract import ReportContract


class TestSqliteReports(ReportContract):
    @pytest.fixture
    def repository(self, sqlite_repository):
        return sqlite_repository


@pytest.mark.postgres
class TestPostgresReports(ReportContract):
    @pytest.fixture
    def repository(self, postgres_repository):
        return postgres_repository
