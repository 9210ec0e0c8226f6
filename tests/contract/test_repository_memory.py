import pytest

from qdispatch_core.testing import InMemoryRepository
from tests.contract.repository_contract import RepositoryContract


class TestInMemoryRepository(RepositoryContract):
    @pytest.fixture
    def repository(self):
        return InMemoryRepository()
