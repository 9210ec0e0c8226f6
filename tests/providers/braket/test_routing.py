"""backend.py routes each call once, to local.py's runner or cloud.py's (docs/architecture.md,
"Provider skeleton"): a local simulator's runner refuses the remote protocol and a cloud
device's refuses shards, with the errors the core's Backend defaults raise, before any account
or simulator is touched."""

from __future__ import annotations

import pytest

from qdispatch_core.domain import Shard
from qdispatch_core.errors import ProviderError
from tests.contract.backend_contract import make_spec
from tests.samples import BELL_QASM2

RUNS_IN_SHARDS = "is a local simulator: the worker runs its jobs in shards"
RUNS_AT_PROVIDER = "is not a local simulator; it runs at the provider"


def test_a_local_simulator_refuses_the_remote_protocol(braket, qiskit_toolkit):
    device = braket.get_device("braket_local_sv")
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], device.id, shots=10)
    calls = {
        "submit": lambda: braket.submit(device, spec, {}),
        "poll": lambda: braket.poll(device, ["job-1"], {}),
        "fetch": lambda: braket.fetch(device, spec, ["job-1"], {}),
        "cancel": lambda: braket.cancel(device, ["job-1"], {}),
    }
    for call in calls.values():
        with pytest.raises(ProviderError, match=f"^{device.id} {RUNS_IN_SHARDS}$"):
            call()


def test_every_cloud_device_refuses_shards(braket, qiskit_toolkit):
    cloud = [d for d in braket.list_devices() if not d.local]
    assert cloud
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], cloud[0].id, shots=10)
    for device in cloud:
        with pytest.raises(ProviderError, match=f"^{device.id} {RUNS_AT_PROVIDER}$"):
            braket.run_shard(device, spec, Shard(0, 0, 1), {})


def test_only_cloud_devices_need_credentials_or_add_placement_notes(braket, qiskit_toolkit):
    local, cloud = braket.get_device("braket_local_sv"), braket.get_device("aws_sv1")
    assert braket.missing_credentials(local, {}) == ()
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], local.id, shots=10)
    local_notes = braket.prepare(local, spec).notes
    cloud_notes = braket.prepare(cloud, spec).notes
    assert len(local_notes) == 1 and local_notes[0].startswith("translated into")
    assert len(cloud_notes) == 2 and "places and routes the circuits" in cloud_notes[1]
