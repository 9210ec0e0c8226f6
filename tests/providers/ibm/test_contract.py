"""The Backend contract on a small fake backend (5 qubits, the snapshot's noise)."""

from __future__ import annotations

import pytest

from qdispatch_core.domain import RunType
from qdispatch_core.errors import BadRequest
from tests.contract.backend_contract import BackendContract, make_spec
from tests.samples import BELL_QASM2


class TestFakeManila(BackendContract):
    seeded_options = {"seed_simulator": 7}

    @pytest.fixture
    def backend(self, ibm):
        return ibm

    @pytest.fixture
    def toolkit(self, qiskit_toolkit):
        return qiskit_toolkit

    @pytest.fixture
    def device_id(self):
        return "fake_manila"

    def test_statevectors_have_the_planned_shape(self, backend, toolkit, device_id, credentials):
        # A noisy device has no state vector (its state is a mixture): StatevectorRun without
        # observables is refused before anything runs. With observables it is exact (below).
        spec = make_spec(toolkit, [BELL_QASM2], device_id, run_type=RunType.STATEVECTOR)
        with pytest.raises(BadRequest, match="pass observables") as refused:
            backend.validate(backend.get_device(device_id), spec)
        assert refused.value.field == "run_type"
