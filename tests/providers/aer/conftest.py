"""Shared Aer fixtures: one backend per module (simulators and compiled circuits are reused, as
in a worker), and a helper that runs a job and returns its outputs."""

from __future__ import annotations

import pytest

from qdispatch_aer import AerBackend
from qdispatch_core.domain import JobStatus
from qdispatch_qiskit import QiskitToolkit
from tests.contract.backend_contract import make_spec, run_local


@pytest.fixture(scope="module")
def aer():
    backend = AerBackend()
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def qiskit_toolkit():
    return QiskitToolkit()


def run_outputs(backend, toolkit, qasms, device_id="aer_simulator", shard_size=None, **kwargs):
    """Validate and run a job directly on the backend (in one shard unless `shard_size` says
    otherwise); its per-executable outputs."""
    spec = make_spec(toolkit, qasms, device_id, **kwargs)
    backend.validate(backend.get_device(device_id), spec)
    size = shard_size or len(spec.plan.executables)
    _, state, execution = run_local(backend, spec, {}, size=size)
    assert state.status is JobStatus.DONE, state.message
    return execution.outputs
