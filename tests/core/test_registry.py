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


def test_an_unknown_device_suggests_the_closest_ids():
    registry = BackendRegistry(use_entry_points=False)
    registry.add(FakeBackend())
    with pytest.raises(NotFound) as err:
        registry.resolve("dummy_simulatr")
    assert "did you mean 'dummy_simulator'?" in err.value.message
    assert err.value.field == "device_id"


def test_catalogs_list_devices_without_building_backends():
    built = []

    def factory():
        built.append(1)
        return FakeBackend()

    registry = BackendRegistry({"fake": factory}, use_entry_points=False)
    registry._catalogs["fake"] = lambda credentials: FakeBackend().list_devices(credentials)
    assert {d.id for d in registry.list_devices()} == {"dummy_simulator", "dummy_qpu"}
    assert registry.provider_of("dummy_qpu") == "fake" and not built
    backend, device = registry.resolve("dummy_qpu")
    assert device.id == "dummy_qpu" and built == [1]
    assert registry.list_devices() == list(backend.list_devices())  # the instance answers now


def test_a_catalog_that_needs_its_backend_says_so():
    registry = BackendRegistry({"fake": FakeBackend}, use_entry_points=False)
    registry._catalogs["fake"] = lambda credentials: None if credentials else ()
    assert registry.list_devices() == []
    assert {d.id for d in registry.list_devices({"fake_token": "t"})} == {
        "dummy_simulator",
        "dummy_qpu",
    }


ISOLATION = """
import json, sys
from qdispatch_core.registry import BackendRegistry
registry = BackendRegistry()
listed = registry.list_devices()
providers = ("qdispatch_aer", "qdispatch_ibm", "qdispatch_braket", "qdispatch_ionq")
after_listing = sorted(
    m for m in sys.modules if m.endswith(".backend") and m.split(".")[0] in providers
)
backend, device = registry.resolve(sys.argv[1])
built = sorted(registry._instances)
heavy = [m for m in ("numpy", "pydantic", "sqlalchemy", "qiskit", "qiskit_ibm_runtime",
                     "braket", "cirq") if m in sys.modules]
print(json.dumps({"devices": len(listed), "after_listing": after_listing, "built": built,
                  "heavy": heavy}))
"""


@pytest.mark.parametrize(
    ("device", "provider"),
    [("aer_simulator", "aer"), ("fake_manila", "ibm"), ("braket_local_sv", "braket")],
)
def test_resolving_a_device_builds_only_its_provider(device, provider):
    import json

    out = subprocess.run(
        [sys.executable, "-c", ISOLATION, device], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert found["devices"] > 50  # every installed provider's catalog
    assert found["after_listing"] == []  # listing imported no backend module
    assert found["built"] == [provider]
    assert found["heavy"] == []  # and no SDK, no NumPy, not even pydantic


def test_every_catalog_lists_what_its_backend_lists():
    registry = BackendRegistry()
    for name in sorted(registry._catalogs):
        from_catalog = registry.list_devices(provider=name)
        backend = registry.get(name)
        assert list(from_catalog) == list(backend.list_devices()), name
