import subprocess
import sys

import pytest

from qdispatch_core.errors import BackendUnavailable, NotFound
from qdispatch_core.registry import BackendRegistry
from qdispatch_core.testing import FakeBackend


def test_resolve_finds_the_backend_of_a_device():
    registry = BackendRegistry(use_entry_points=False)
    backend = FakeBackend()
    registry.add(backend)
    assert registry.resolve("dummy_qpu") == (backend, backend.get_device("dummy_qpu"))


def test_unknown_device_is_404_with_a_hint():
    registry = BackendRegistry(use_entry_points=False)
    registry.add(FakeBackend())
    with pytest.raises(NotFound) as err:
        registry.resolve("no_such_device")
    assert "list_qpus_and_simulators" in err.value.message


def test_missing_provider_names_the_package_to_install():
    registry = BackendRegistry({}, use_entry_points=False)
    with pytest.raises(BackendUnavailable) as err:
        registry.resolve("ionq_simulator")
    assert "pip install qdispatch-ionq" in err.value.message
    with pytest.raises(BackendUnavailable) as err:
        registry.get("braket")
    assert "pip install qdispatch-braket" in err.value.message


def test_a_broken_plugin_is_skipped_when_listing(caplog):
    def broken():
        raise ImportError("vendor SDK missing")

    registry = BackendRegistry({"broken": broken}, use_entry_points=False)
    registry.add(FakeBackend())
    devices = registry.list_devices()
    assert {d.id for d in devices} == {"dummy_simulator", "dummy_qpu"}
    assert "skipping backend 'broken'" in caplog.text
    with pytest.raises(BackendUnavailable) as err:
        registry.get("broken")
    assert "vendor SDK missing" in err.value.message
    registry.list_devices()
    assert caplog.text.count("skipping backend 'broken'") == 1  # remembered, logged once


def test_listing_names_imports_no_vendor_sdk():
    code = (
        "import sys; from qdispatch_core.registry import BackendRegistry;"
        "names = BackendRegistry().names();"
        "heavy = [m for m in ('qiskit', 'qiskit_aer', 'braket', 'cirq', 'cirq_ionq',"
        " 'qiskit_ibm_runtime') if m in sys.modules];"
        "print(names, heavy); assert 'aer' in names and not heavy, heavy"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
