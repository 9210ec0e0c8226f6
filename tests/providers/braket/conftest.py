"""Shared Braket fixtures: one backend per module (compiled circuits are reused, as in a
worker), and a helper that runs a job and returns its outputs."""

from __future__ import annotations

import numpy as np
import pytest

from qdispatch_braket import BraketBackend
from qdispatch_core.domain import JobStatus
from qdispatch_qiskit import QiskitToolkit
from tests.contract.backend_contract import drive, make_spec

LOCAL_DEVICES = ["braket_local_sv", "braket_local_dm"]


@pytest.fixture(scope="module")
def braket():
    backend = BraketBackend()
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def qiskit_toolkit():
    return QiskitToolkit()


def run_job(backend, toolkit, qasms, device_id="braket_local_sv", **kwargs):
    """Validate and run a job directly on the backend; its Execution."""
    spec = make_spec(toolkit, qasms, device_id, **kwargs)
    backend.validate(backend.get_device(device_id), spec)
    _, state, execution = drive(backend, spec, {})
    assert state.status is JobStatus.DONE, state.message
    return execution


def run_outputs(backend, toolkit, qasms, device_id="braket_local_sv", **kwargs):
    return run_job(backend, toolkit, qasms, device_id, **kwargs).outputs


def pytest_collection_modifyitems(items):
    # braket_local_dm runs noise-free circuits unless noise options are set; the simulator
    # warns about that on every run (the backend silences it in production, but pytest resets
    # warning filters for each test).
    marker = pytest.mark.filterwarnings("ignore:You are running a noise-free circuit")
    for item in items:
        if "providers/braket" in str(item.path):
            item.add_marker(marker)


@pytest.fixture
def seeded_braket(monkeypatch):
    """Seeds the samplers of Braket's local simulators (the SDK draws from an unseeded
    `np.random.default_rng()` per simulation): call it with a seed before a run."""
    from braket.default_simulator.density_matrix_simulation import DensityMatrixSimulation
    from braket.default_simulator.state_vector_simulation import StateVectorSimulation

    current = [0]
    for simulation in (StateVectorSimulation, DensityMatrixSimulation):
        original = simulation.__init__

        def seeded_init(self, *args, _original=original, **kwargs):
            _original(self, *args, **kwargs)
            self._rng_generator = np.random.default_rng(current[0])

        monkeypatch.setattr(simulation, "__init__", seeded_init)

    def use(seed: int) -> None:
        current[0] = seed

    return use
