"""backend.py routes each call once, to local.py's runner or cloud.py's (docs/architecture.md,
"Provider skeleton"): a fake backend's runner refuses the remote protocol and a cloud QPU's refuses
shards, with the errors the core's Backend defaults raise, before any account or simulator is
touched."""

from __future__ import annotations

import pytest

from qdispatch_core.domain import Shard
from qdispatch_core.errors import ProviderError
from tests.contract.backend_contract import make_spec
from tests.samples import BELL_QASM2

RUNS_IN_SHARDS = "is a local simulator: the worker runs its jobs in shards"
RUNS_AT_PROVIDER = "is not a local simulator; it runs at the provider"


def test_a_fake_backend_refuses_the_remote_protocol(ibm, qiskit_toolkit):
    device = ibm.get_device("fake_manila")
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], device.id, shots=10)
    calls = {
        "submit": lambda: ibm.submit(device, spec, {}),
        "poll": lambda: ibm.poll(device, ["job-1"], {}),
        "fetch": lambda: ibm.fetch(device, spec, ["job-1"], {}),
        "cancel": lambda: ibm.cancel(device, ["job-1"], {}),
    }
    for call in calls.values():
        with pytest.raises(ProviderError, match=f"^{device.id} {RUNS_IN_SHARDS}$"):
            call()


def test_every_cloud_device_refuses_shards(ibm, qiskit_toolkit):
    cloud = [d for d in ibm.list_devices() if not d.local]
    assert cloud
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], cloud[0].id, shots=10)
    for device in cloud:
        with pytest.raises(ProviderError, match=f"^{device.id} {RUNS_AT_PROVIDER}$"):
            ibm.run_shard(device, spec, Shard(0, 0, 1), {})


def test_only_cloud_qpus_estimate_observables_with_ibms_estimator(ibm):
    for device in ibm.list_devices():
        assert ibm.estimates_observables(device, use_mitigation=True) is not device.local
