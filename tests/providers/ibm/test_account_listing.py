"""The account's devices when no credentials are given in options: the runtime's own
environment variables (QISKIT_IBM_TOKEN, QISKIT_IBM_INSTANCE, QISKIT_IBM_CHANNEL) or an account
saved with `QiskitRuntimeService.save_account`, answered by the recorded platform.

The autouse `no_ibm_account` fixture gives every test a temporary HOME and no QISKIT_IBM_*
variables. The runtime fixes its default account file when it is imported (from the HOME of
that moment), so the tests also point that default at the temporary HOME: nothing here reads
or writes the real home directory.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pytest

from qdispatch_core.domain import DeviceStatus
from qdispatch_ibm import IBMBackend
from qdispatch_ibm.catalog import CLOUD_BACKENDS
from qdispatch_ibm.session import CREDENTIAL_KEYS, saved_accounts_file
from tests.providers.ibm.cloud_mock import CRN, IAM, TOKEN


@pytest.fixture
def account_file(monkeypatch, tmp_path) -> Path:
    """The runtime's default account file, inside the temporary HOME (not created)."""
    from qiskit_ibm_runtime.accounts import management

    path = tmp_path / "home" / ".qiskit" / "qiskit-ibm.json"
    assert saved_accounts_file() == path  # qdispatch looks where the runtime now looks
    monkeypatch.setattr(management, "_DEFAULT_ACCOUNT_CONFIG_JSON_FILE", str(path))
    return path


def _environment(monkeypatch, account_file):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", CRN)
    monkeypatch.setenv("QISKIT_IBM_CHANNEL", "ibm_quantum_platform")


def _saved(monkeypatch, account_file):
    from qiskit_ibm_runtime import QiskitRuntimeService

    QiskitRuntimeService.save_account(
        token=TOKEN,
        instance=CRN,
        channel="ibm_quantum_platform",
        filename=str(account_file),
        set_as_default=True,
    )
    assert TOKEN in account_file.read_text()  # saved where the runtime will look, in tmp_path


SOURCES = {"environment": _environment, "saved account": _saved}


def _cloud(devices):
    return {d.id: d for d in devices if not d.simulator}


def _token_requests(cloud) -> list[list[str]]:
    """The API keys the client exchanged for an IAM token."""
    return [parse_qs(c.request.body)["apikey"] for c in cloud.rsps.calls if c.request.url == IAM]


@pytest.mark.parametrize("operational", [True, False], ids=["active", "maintenance"])
@pytest.mark.parametrize("source", SOURCES)
def test_the_sdks_own_account_lists_its_backends(
    cloud, monkeypatch, account_file, calibration_dir, source, operational
):
    SOURCES[source](monkeypatch, account_file)
    cloud.operational = operational
    backend = IBMBackend(calibration_dir=calibration_dir)
    devices = backend.list_devices()  # no credentials in options
    cloud_devices = _cloud(devices)
    assert list(cloud_devices) == ["ibm_manila"]  # the account's list, not the dated one
    manila = cloud_devices["ibm_manila"]
    expected = DeviceStatus.ONLINE if operational else DeviceStatus.OFFLINE
    assert manila.status is expected  # read from the platform's status endpoint
    assert manila.qubits == 5 and manila.credential_options == CREDENTIAL_KEYS
    assert backend.missing_credentials(manila, {}) == ()
    assert len([d for d in devices if d.simulator]) == 68  # the twins stay
    keys = _token_requests(cloud)
    assert keys and all(k == [TOKEN] for k in keys)  # the account's key, found by the runtime


def test_without_any_account_cloud_devices_are_unknown_and_name_their_keys(
    cloud, account_file, calibration_dir
):
    backend = IBMBackend(calibration_dir=calibration_dir)
    cloud_devices = _cloud(backend.list_devices())
    assert list(cloud_devices) == list(CLOUD_BACKENDS)
    for device in cloud_devices.values():
        assert device.status is DeviceStatus.UNKNOWN
        assert device.credential_options == CREDENTIAL_KEYS
        assert backend.missing_credentials(device, {}) == CREDENTIAL_KEYS
    assert not cloud.rsps.calls  # nothing was asked of any account
    assert not account_file.exists()
