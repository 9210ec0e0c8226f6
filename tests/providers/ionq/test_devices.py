"""Devices: the offline catalog, the account's backends, credentials, and what a request must
satisfy before anything is sent."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from qdispatch_core.domain import DeviceStatus, RunType
from qdispatch_core.errors import BadRequest
from qdispatch_core.ports.backend_settings import BackendSettings
from qdispatch_ionq import IonQBackend
from qdispatch_ionq.catalog import generate_facts, load_facts
from qdispatch_ionq.sdk import require
from tests.contract.backend_contract import make_spec
from tests.providers.ionq.conftest import API_KEY
from tests.samples import BELL_QASM2, ghz

HEAD = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'


def test_the_committed_facts_match_the_installed_sdk():
    # On a mismatch, run `uv run python -m qdispatch_ionq.catalog` and review the diff.
    assert generate_facts() == load_facts()


def test_listing_devices_imports_no_sdk_and_touches_no_network():
    code = (
        "import sys\n"
        "from qdispatch_ionq import IonQBackend\n"
        "devices = IonQBackend(remote_host='http://192.0.2.1:9').list_devices()\n"
        "assert [d.id for d in devices] == ['ionq_simulator', 'ionq_qpu_forte_1', "
        "'ionq_qpu_forte_enterprise_1'], devices\n"
        "heavy = [m for m in ('cirq', 'cirq_ionq', 'qiskit', 'numpy', 'requests') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    # 192.0.2.1 is unroutable (TEST-NET-1): a listing that tried it would hang into the timeout.
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, capture_output=True)


def test_the_catalog_describes_each_device():
    simulator, forte, enterprise = IonQBackend().list_devices()
    assert (simulator.qubits, forte.qubits, enterprise.qubits) == (29, 36, 36)
    for device in (simulator, forte, enterprise):
        assert device.provider == "ionq" and not device.local
        assert device.run_types == (RunType.RUN,)  # probabilities only, never amplitudes
        assert device.status is DeviceStatus.UNKNOWN  # nobody asked IonQ
        assert device.credential_options == ("ionq_api_key",)
        assert device.coupling_map is None  # all-to-all
        assert {"cnot", "rx", "xx"} <= set(device.basis_gates)
    assert simulator.simulator and not simulator.noisy and simulator.pricing is None
    assert simulator.option("noise_model").choices == (
        "ideal",
        "aria-1",
        "aria-2",
        "forte-1",
        "forte-enterprise-1",
    )
    assert [o.name for o in forte.options] == ["optimization_level", "seed_transpiler"]
    assert forte.noisy and forte.pricing.unit == "gate-shots" and forte.pricing.as_of
    assert "debiasing" in forte.mitigation and forte.max_shots == 10_000


def test_with_a_key_the_account_lists_its_backends_once(fake, credentials):
    backend = IonQBackend(remote_host=fake.url)
    before = len([r for r in fake.requests if r[1] == "/v0.4/backends"])
    devices = {d.id: d for d in backend.list_devices(credentials)}
    backend.list_devices(credentials)
    assert len([r for r in fake.requests if r[1] == "/v0.4/backends"]) == before + 1  # cached
    assert devices["ionq_qpu_forte_1"].status is DeviceStatus.ONLINE
    assert devices["ionq_qpu_forte_enterprise_1"].status is DeviceStatus.OFFLINE
    assert devices["ionq_qpu_tempo_1"].qubits == 64  # listed by the account, not catalogued
    assert "ionq_qpu_aria_1" not in devices  # retired
    assert backend.get_device("ionq_qpu_tempo_1", credentials).name == "IonQ Tempo 1"


def test_a_key_in_the_environment_lists_the_account_too(fake, monkeypatch):
    monkeypatch.setenv("IONQ_API_KEY", API_KEY)
    devices = {d.id for d in IonQBackend(remote_host=fake.url).list_devices()}
    assert "ionq_qpu_tempo_1" in devices  # only the account knows this one


def test_an_unreachable_backend_list_falls_back_to_the_catalog(fake, caplog):
    backend = IonQBackend(remote_host=fake.url, max_retry_seconds=0)
    devices = backend.list_devices({"ionq_api_key": "wrong-key"})
    assert [d.id for d in devices] == [d.id for d in IonQBackend().list_devices()]
    assert "catalog" in caplog.text and "wrong-key" not in caplog.text


@pytest.mark.parametrize("variable", ["IONQ_API_KEY", "CIRQ_IONQ_API_KEY"])
def test_missing_credentials_counts_the_sdks_environment(monkeypatch, variable):
    backend = IonQBackend()
    device = backend.get_device("ionq_qpu_forte_1")
    assert backend.missing_credentials(device, {}) == ("ionq_api_key",)
    assert backend.missing_credentials(device, {"ionq_api_key": API_KEY}) == ()
    monkeypatch.setenv(variable, API_KEY)
    assert backend.missing_credentials(device, {}) == ()


def test_the_host_comes_from_the_settings_then_the_vendor_environment(monkeypatch):
    monkeypatch.setenv("QDISPATCH_IONQ_HOST", "http://ignored.test")  # the app reads it
    settings = BackendSettings(ionq_host="http://127.0.0.1:8123/ignored/path")
    assert IonQBackend(settings=settings).host == "http://127.0.0.1:8123"
    given = IonQBackend(settings=settings, remote_host="https://example.test")
    assert given.host == "https://example.test"
    monkeypatch.setenv("CIRQ_IONQ_REMOTE_HOST", "http://127.0.0.1:9000")
    assert IonQBackend().host == "http://127.0.0.1:9000"
    with pytest.raises(ValueError, match="not a URL"):
        IonQBackend(settings=BackendSettings(ionq_host="not a url"))


def test_a_missing_sdk_names_the_package_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "cirq_ionq", None)
    with pytest.raises(ImportError, match="pip install qdispatch-ionq"):
        require("cirq_ionq")


def _refused(qiskit_toolkit, source, device_id="ionq_simulator", **kwargs) -> BadRequest:
    backend = IonQBackend()
    spec = make_spec(qiskit_toolkit, [source], device_id, **kwargs)
    with pytest.raises(BadRequest) as caught:
        backend.validate(backend.get_device(device_id), spec)
    return caught.value


@pytest.mark.parametrize(
    "body, words",
    [
        ("measure q[0] -> c[0];\nh q[0];\nmeasure q[0] -> c[1];\n", "measure before its final"),
        ("h q[0];\nreset q[0];\nmeasure q -> c;\n", "reset before its final"),
        (
            "h q[0];\nmeasure q[0] -> c[0];\nif (c==1) x q[1];\nmeasure q[1] -> c[1];\n",
            "classical control flow (if_else)",
        ),
    ],
)
def test_circuits_ionq_cannot_run_are_refused(qiskit_toolkit, body, words):
    error = _refused(qiskit_toolkit, HEAD + "qreg q[2];\ncreg c[2];\n" + body)
    assert words in error.message and "circuit 1" in error.message


def test_a_noise_model_limits_the_qubits(qiskit_toolkit):
    error = _refused(qiskit_toolkit, ghz(27), options={"noise_model": "aria-1"})
    assert error.field == "options['noise_model']" and "25 qubits" in error.message
    backend = IonQBackend()
    spec = make_spec(qiskit_toolkit, [ghz(27)], "ionq_simulator")
    backend.validate(backend.get_device("ionq_simulator"), spec)  # the ideal one takes 29


def test_debiasing_below_500_shots_is_refused_not_skipped(qiskit_toolkit):
    error = _refused(qiskit_toolkit, BELL_QASM2, "ionq_qpu_forte_1", shots=499, use_mitigation=True)
    assert error.field == "use_mitigation" and "500 shots" in error.message


def test_validation_needs_no_cirq(qiskit_toolkit):
    code = (
        "import sys\n"
        "from qdispatch_ionq import IonQBackend\n"
        "from qdispatch_qiskit import QiskitToolkit\n"
        "from tests.contract.backend_contract import make_spec\n"
        "from tests.samples import BELL_QASM2\n"
        "b = IonQBackend()\n"
        "d = b.get_device('ionq_simulator')\n"
        "spec = make_spec(QiskitToolkit(), [BELL_QASM2], d.id)\n"
        "b.validate(d, spec)\n"
        "print(b.estimate_cost(d, spec))\n"
        "assert 'cirq' not in sys.modules\n"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    assert time.perf_counter() - started < 60
