"""Devices from the committed catalog: what they promise, that listing them imports no SDK,
and that the catalog still matches the installed Braket SDK."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from braket.devices import Devices

from qdispatch_braket import status
from qdispatch_braket.catalog import (
    active_device_arns,
    device_id_for,
    generate_catalog,
    load_catalog,
    region_of,
)
from qdispatch_braket.sdk import require
from qdispatch_core.domain import DeviceStatus, JobStatus, RunType
from qdispatch_core.errors import UnknownProviderState

CLOUD_KEYS = (
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_default_region",
    "aws_session_token",
)


def test_the_committed_catalog_matches_the_installed_sdk():
    # On a mismatch, run `uv run python -m qdispatch_braket.catalog` and review the diff
    # (a new device in braket.devices.Devices needs its facts in catalog.CLOUD_FACTS).
    assert generate_catalog() == load_catalog()


def test_cloud_devices_are_the_sdks_active_devices():
    catalog = load_catalog()
    listed = {facts["arn"] for facts in catalog["cloud"].values()} | set(catalog["excluded"])
    assert listed == set(active_device_arns())
    assert Devices.IonQ.Forte1.value in listed and Devices.Amazon.SV1.value in listed
    for retired in (Devices.IonQ._Aria1, Devices.Amazon._TN1, Devices.Rigetti._Ankaa3):
        assert retired.value not in listed
    assert set(catalog["excluded"]) == {Devices.QuEra.Aquila.value}
    assert "analog Hamiltonian" in catalog["excluded"][Devices.QuEra.Aquila.value]


def test_readable_ids_from_arns():
    assert device_id_for(Devices.Amazon.SV1.value) == "aws_sv1"
    assert device_id_for(Devices.IonQ.Forte1.value) == "aws_ionq_forte_1"
    assert device_id_for(Devices.IQM.Garnet.value) == "aws_iqm_garnet"
    assert device_id_for(Devices.Rigetti.Cepheus1108Q.value) == "aws_rigetti_cepheus_1_108q"
    assert region_of(Devices.IQM.Garnet.value) == "eu-north-1"
    assert region_of(Devices.Amazon.DM1.value) is None


def test_listing_devices_imports_no_sdk():
    code = (
        "import sys\n"
        "from qdispatch_braket import BraketBackend\n"
        "devices = BraketBackend().list_devices()\n"
        "assert 'aws_ionq_forte_1' in [d.id for d in devices]\n"
        "heavy = ('braket', 'boto3', 'botocore', 'qiskit', 'numpy')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    # How fast that is, is measured in benchmarks/ (`qdispatch devices`), not asserted here.
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, capture_output=True)


def test_local_devices(braket):
    sv, dm = braket.get_device("braket_local_sv"), braket.get_device("braket_local_dm")
    assert (sv.qubits, dm.qubits) == (26, 13)
    assert sv.run_types == (RunType.RUN, RunType.STATEVECTOR) and dm.run_types == (RunType.RUN,)
    for device in (sv, dm):
        assert device.local and device.simulator and device.pricing is None
        assert device.credential_options == () and device.status is DeviceStatus.ONLINE
        assert {"cnot", "h", "rx", "si", "v"} <= set(device.basis_gates)
    assert [o.name for o in sv.options] == ["optimization_level", "seed_transpiler"]
    assert [o.name for o in dm.options] == [
        "optimization_level",
        "seed_transpiler",
        "readout_error",
        "depolarizing_error",
    ]
    assert sv.mitigation == "none needed: noiseless simulator"
    assert "readout-error mitigation" in dm.mitigation


def test_cloud_devices(braket):
    devices = {d.id: d for d in braket.list_devices() if not d.local}
    assert set(devices) == {
        "aws_sv1",
        "aws_dm1",
        "aws_ionq_forte_1",
        "aws_ionq_forte_enterprise_1",
        "aws_iqm_garnet",
        "aws_iqm_emerald",
        "aws_rigetti_cepheus_1_108q",
        "aws_aqt_ibex_q1",
    }
    for device in devices.values():
        assert device.credential_options == CLOUD_KEYS
        assert device.status is DeviceStatus.UNKNOWN and device.pricing is not None
        assert [o.name for o in device.options][-2:] == ["s3_bucket", "s3_prefix"]
    assert devices["aws_sv1"].run_types == (RunType.RUN, RunType.STATEVECTOR)
    assert devices["aws_dm1"].run_types == (RunType.RUN,)
    forte = devices["aws_ionq_forte_1"]
    assert forte.noisy and not forte.simulator and forte.qubits == 36
    assert forte.pricing.basis == "$0.30 per task (a program set is one task) + $0.08 per shot"
    assert "debiasing" in forte.mitigation
    assert "does not know" in devices["aws_iqm_emerald"].pricing.basis
    assert "3-second minimum" in devices["aws_sv1"].pricing.basis
    assert devices["aws_iqm_garnet"].pricing.unit == "shots"
    assert "readout-error mitigation" in devices["aws_iqm_garnet"].mitigation


def test_a_missing_sdk_names_the_package_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "braket.aws", None)
    with pytest.raises(ImportError, match="pip install qdispatch-braket"):
        require("braket.aws")


# -- credentials ------------------------------------------------------------------------


@pytest.fixture
def no_aws_chain(monkeypatch, tmp_path):
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("BOTO_CONFIG", str(tmp_path / "boto"))
    return tmp_path


def test_cloud_devices_need_the_key_pair_without_an_aws_chain(braket, no_aws_chain):
    device = braket.get_device("aws_iqm_garnet")
    assert braket.missing_credentials(device, {}) == ("aws_access_key_id", "aws_secret_access_key")
    assert braket.missing_credentials(device, {"aws_access_key_id": "AKIA"}) == (
        "aws_secret_access_key",
    )
    keys = {"aws_access_key_id": "AKIA", "aws_secret_access_key": "s"}
    assert braket.missing_credentials(device, keys) == ()
    assert braket.missing_credentials(braket.get_device("braket_local_sv"), {}) == ()


def test_the_aws_environment_variables_count(braket, no_aws_chain, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "from-env")
    assert braket.missing_credentials(braket.get_device("aws_sv1"), {}) == ()


def test_an_aws_profile_counts(braket, no_aws_chain, monkeypatch):
    (no_aws_chain / "credentials").write_text(
        "[research]\naws_access_key_id = AKIAFILE\naws_secret_access_key = from-file\n"
    )
    device = braket.get_device("aws_sv1")
    assert braket.missing_credentials(device, {}) == ("aws_access_key_id", "aws_secret_access_key")
    monkeypatch.setenv("AWS_PROFILE", "research")
    assert braket.missing_credentials(device, {}) == ()


def test_a_role_profile_counts_without_calling_sts(braket, no_aws_chain, monkeypatch):
    (no_aws_chain / "config").write_text(
        "[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/braket\nsource_profile = x\n"
    )
    monkeypatch.setenv("AWS_PROFILE", "ops")
    started = time.perf_counter()
    assert braket.missing_credentials(braket.get_device("aws_sv1"), {}) == ()
    assert time.perf_counter() - started < 5  # no network probe


# -- task states ------------------------------------------------------------------------


def test_every_braket_task_state_is_mapped():
    assert status.TASK_STATUS == {
        "CREATED": JobStatus.QUEUED,
        "QUEUED": JobStatus.QUEUED,
        "RUNNING": JobStatus.RUNNING,
        "COMPLETED": JobStatus.DONE,
        "FAILED": JobStatus.ERROR,
        "CANCELLING": JobStatus.QUEUED,
        "CANCELLED": JobStatus.CANCELLED,
    }
    with pytest.raises(UnknownProviderState, match="PAUSED"):
        status.job_status("PAUSED")


@pytest.mark.parametrize(
    "states, combined",
    [
        (["COMPLETED", "COMPLETED"], JobStatus.DONE),
        (["COMPLETED", "QUEUED"], JobStatus.RUNNING),
        (["CREATED", "QUEUED"], JobStatus.QUEUED),
        (["RUNNING", "FAILED"], JobStatus.ERROR),
        (["CANCELLED", "COMPLETED"], JobStatus.CANCELLED),
        (["CANCELLING", "COMPLETED"], JobStatus.RUNNING),
    ],
)
def test_several_tasks_make_one_status(states, combined):
    assert status.combined([status.job_status(s) for s in states]) is combined


def test_the_service_enum_is_what_the_map_covers():
    model = require("boto3").client("braket", region_name="us-east-1").meta.service_model
    shape = model.shape_for("QuantumTaskStatus")
    assert set(shape.enum) == set(status.TASK_STATUS)
