"""The Backend contract on the IonQ simulator and a QPU, through cirq-ionq against a local
IonQ that simulates what it receives."""

from __future__ import annotations

import pytest

from tests.contract.backend_contract import BackendContract
from tests.providers.ionq.conftest import API_KEY


class TestIonQSimulator(BackendContract):
    supports_statevector = False  # IonQ returns probabilities, never amplitudes

    @pytest.fixture
    def backend(self, ionq):
        return ionq

    @pytest.fixture
    def toolkit(self, qiskit_toolkit):
        return qiskit_toolkit

    @pytest.fixture
    def device_id(self):
        return "ionq_simulator"

    @pytest.fixture
    def credentials(self):
        return {"ionq_api_key": API_KEY}


class TestIonQForte(TestIonQSimulator):
    @pytest.fixture
    def device_id(self):
        return "ionq_qpu_forte_1"
