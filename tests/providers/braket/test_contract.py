"""The Backend contract on the local simulators."""

from __future__ import annotations

import pytest

from tests.contract.backend_contract import BackendContract


class TestBraketLocalStateVector(BackendContract):
    seeded_options = None  # Braket's local simulators take no seed

    @pytest.fixture
    def backend(self, braket):
        return braket

    @pytest.fixture
    def toolkit(self, qiskit_toolkit):
        return qiskit_toolkit

    @pytest.fixture
    def device_id(self):
        return "braket_local_sv"


class TestBraketLocalDensityMatrix(TestBraketLocalStateVector):
    supports_statevector = False  # the density-matrix simulator has no state-vector result

    @pytest.fixture
    def device_id(self):
        return "braket_local_dm"
