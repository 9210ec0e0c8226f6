import pytest

from qdispatch_core.testing import FakeBackend, FakeCircuitToolkit
from tests.contract.backend_contract import BackendContract


class TestFakeLocalDevice(BackendContract):
    @pytest.fixture
    def backend(self):
        return FakeBackend()

    @pytest.fixture
    def toolkit(self):
        return FakeCircuitToolkit()

    @pytest.fixture
    def device_id(self):
        return "dummy_simulator"


class TestFakeRemoteDevice(TestFakeLocalDevice):
    supports_statevector = False

    @pytest.fixture
    def backend(self):
        return FakeBackend(remote_steps=2)

    @pytest.fixture
    def device_id(self):
        return "dummy_qpu"

    @pytest.fixture
    def credentials(self):
        return {"fake_token": "token"}
