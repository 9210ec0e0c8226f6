"""Devices: the committed catalog, listing without the SDK, the dated cloud list, and the
account's own list once credentials are given."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from qdispatch_core.domain import DeviceStatus, RunType
from qdispatch_core.errors import BadRequest, NotFound
from qdispatch_core.registry import BackendRegistry
from qdispatch_core.rules.options import split_options
from qdispatch_ibm import IBMBackend
from qdispatch_ibm.catalog import CLOUD_BACKENDS, generate_catalog, load_catalog, twin_of
from qdispatch_ibm.sdk import require
from qdispatch_ibm.session import missing_keys


def test_the_committed_catalog_matches_the_installed_runtime():
    # On a mismatch, run `uv run python -m qdispatch_ibm.catalog` and review the diff.
    assert generate_catalog() == load_catalog()


def test_every_fake_backend_of_the_runtime_is_a_device(ibm):
    from qiskit_ibm_runtime.fake_provider import FakeProviderForBackendV2

    names = {b.name for b in FakeProviderForBackendV2().backends()}
    fakes = {d.id for d in ibm.list_devices() if d.id.startswith("fake_")}
    assert fakes == names and len(fakes) == 68


def test_listing_imports_no_sdk_and_touches_no_network(tmp_path):
    code = (
        "import socket, sys\n"
        "def refuse(*a, **k):\n"
        "    raise AssertionError('network used while listing')\n"
        "socket.socket.connect = refuse\n"
        "from qdispatch_core.registry import BackendRegistry\n"
        "devices = BackendRegistry().list_devices(provider='ibm')\n"
        "assert len(devices) == 68 + 9, len(devices)\n"
        "heavy = [m for m in ('qiskit', 'qiskit_ibm_runtime', 'qiskit_aer', 'numpy', 'mthree',\n"
        "                     'requests') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, env=env)


def test_fake_devices_describe_their_snapshot(ibm):
    manila = ibm.get_device("fake_manila")
    assert (manila.qubits, manila.max_shots, manila.status) == (5, 100_000, DeviceStatus.ONLINE)
    assert manila.simulator and manila.local and manila.noisy and manila.pricing is None
    assert manila.run_types == (RunType.RUN, RunType.STATEVECTOR)
    assert manila.credential_options == ()
    assert {"cx", "rz", "sx", "x", "measure"} <= set(manila.basis_gates)
    assert set(manila.coupling_map) == {
        (0, 1),
        (1, 0),
        (1, 2),
        (2, 1),
        (2, 3),
        (3, 2),
        (3, 4),
        (4, 3),
    }
    assert "mthree" in manila.mitigation
    assert [o.name for o in manila.options] == [
        "optimization_level",
        "seed_transpiler",
        "seed_simulator",
    ]
    sherbrooke = ibm.get_device("fake_sherbrooke")
    assert sherbrooke.qubits == 127 and "ecr" in sherbrooke.basis_gates
    assert len(sherbrooke.coupling_map) == 144  # directed ECR edges
    assert ibm.get_device("fake_torino").qubits == 133
    assert ibm.get_device("fake_armonk").coupling_map == ()  # one qubit, nothing to couple


def test_without_credentials_cloud_backends_come_from_the_dated_list(ibm):
    cloud = [d for d in ibm.list_devices() if d.id.startswith("ibm_")]
    assert [d.id for d in cloud] == list(CLOUD_BACKENDS)
    for device in cloud:
        twin = ibm.get_device(twin_of(device.id))
        assert device.status is DeviceStatus.UNKNOWN
        assert device.credential_options == ("ibm_quantum_token", "ibm_quantum_instance")
        assert device.run_types == (RunType.RUN,) and not device.simulator and not device.local
        assert device.qubits == twin.qubits and device.coupling_map == twin.coupling_map
        assert device.pricing.unit == "s" and "1.60" in device.pricing.basis
        assert device.pricing.as_of and device.pricing.source.startswith("https://")
        assert [o.name for o in device.options] == [
            "optimization_level",
            "seed_transpiler",
            "resilience_level",
        ]
        (level,) = [o for o in device.options if o.name == "resilience_level"]
        assert (level.minimum, level.maximum) == (1, 2)


def test_seed_simulator_zero_is_refused_not_ignored(ibm):
    # The runtime's local testing mode treats a seed of 0 as "no seed"; say so instead.
    device = ibm.get_device("fake_manila")
    assert split_options({"seed_simulator": 1}, device)[0] == {"seed_simulator": 1}
    with pytest.raises(BadRequest, match="seed_simulator"):
        split_options({"seed_simulator": 0}, device)
    with pytest.raises(BadRequest, match="accepted: optimization_level"):
        split_options({"resilience_level": 1}, device)


def test_an_unknown_fake_is_not_found_without_asking_any_account(ibm, ibm_credentials):
    with pytest.raises(NotFound):
        ibm.get_device("fake_nowhere", ibm_credentials)  # no HTTP mock: a request would fail


def test_credentials_come_from_options_or_the_sdks_own_sources(ibm, monkeypatch, tmp_path):
    device = ibm.get_device("ibm_torino")
    both = {"ibm_quantum_token": "t0ken", "ibm_quantum_instance": "crn:x"}
    assert ibm.missing_credentials(device, both) == ()
    assert ibm.missing_credentials(device, {"ibm_quantum_token": "t0ken"}) == (
        "ibm_quantum_instance",
    )
    assert ibm.missing_credentials(device, {}) == ("ibm_quantum_token", "ibm_quantum_instance")
    assert ibm.missing_credentials(ibm.get_device("fake_manila"), {}) == ()
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "from-the-environment")
    assert ibm.missing_credentials(device, {}) == ()
    monkeypatch.delenv("QISKIT_IBM_TOKEN")
    saved = tmp_path / "home" / ".qiskit" / "qiskit-ibm.json"
    saved.parent.mkdir(parents=True)
    saved.write_text(json.dumps({"default-ibm-quantum-platform": {"token": "x", "channel": "c"}}))
    assert missing_keys({}) == ()
    saved.write_text("not json")
    assert missing_keys({}) == ("ibm_quantum_token", "ibm_quantum_instance")


def test_with_credentials_the_accounts_backends_replace_the_dated_list(
    cloud, ibm_credentials, calibration_dir
):
    backend = IBMBackend(calibration_dir=calibration_dir)
    devices = backend.list_devices(ibm_credentials)
    cloud_ids = [d.id for d in devices if not d.simulator]
    assert cloud_ids == ["ibm_manila"]
    live = backend.get_device("ibm_manila", ibm_credentials)
    assert live.status is DeviceStatus.ONLINE and live.qubits == 5 and live.max_shots == 100_000
    assert live.credential_options == ("ibm_quantum_token", "ibm_quantum_instance")
    assert len([d for d in devices if d.simulator]) == 68  # the twins stay
    requests_before = len(cloud.rsps.calls)
    backend.list_devices(ibm_credentials)  # cached: the account is not asked again
    assert len(cloud.rsps.calls) == requests_before
    cloud.operational = False
    assert (
        IBMBackend(calibration_dir=calibration_dir).get_device("ibm_manila", ibm_credentials).status
        is DeviceStatus.OFFLINE
    )


def test_a_failing_account_listing_falls_back_to_the_dated_list(cloud, calibration_dir, caplog):
    from tests.providers.ibm.cloud_mock import CRN

    backend = IBMBackend(calibration_dir=calibration_dir)
    wrong = {"ibm_quantum_token": "not-the-right-key", "ibm_quantum_instance": CRN}
    devices = backend.list_devices(wrong)
    assert [d.id for d in devices if not d.simulator] == list(CLOUD_BACKENDS)
    assert "rejected the credentials" in caplog.text
    assert "not-the-right-key" not in caplog.text


def test_the_registry_finds_the_provider_by_entry_point():
    registry = BackendRegistry()
    backend, device = registry.resolve("fake_manila")
    assert isinstance(backend, IBMBackend) and device.id == "fake_manila"


def test_a_missing_sdk_names_the_package_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "qiskit_ibm_runtime", None)
    with pytest.raises(ImportError, match="pip install qdispatch-ibm"):
        require("qiskit_ibm_runtime")
