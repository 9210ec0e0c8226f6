"""The Backend contract on both Aer devices."""

from __future__ import annotations

import pytest

from tests.contract.backend_contract import BackendContract


class TestAerSimulator(BackendContract):
    seeded_options = {"seed_simulator": 7}

    @pytest.fixture
    def backend(self, aer):
        return aer

    @pytest.fixture
    def toolkit(self, qiskit_toolkit):
        return qiskit_toolkit

    @pytest.fixture
    def device_id(self):
        return "aer_simulator"


class TestAerMatrixProductState(TestAerSimulator):
    @pytest.fixture
    def device_id(self):
        return "aer_simulator_mps"
