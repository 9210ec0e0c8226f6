import pytest

from qdispatch_core.testing import InMemoryRepository
from tests.contract.reports_contract import ReportContract


class TestInMemoryReports(ReportContract):
    @pytest.fixture
    def repository(self):
        return InMemoryRepository()
