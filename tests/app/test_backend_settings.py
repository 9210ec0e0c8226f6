"""One configuration path: the memory budget set in the settings object is what every backend
that simulates locally advertises and enforces, what simulation processes are handed, and what
the core refuses by; no provider reads the environment for it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qdispatch import App
from qdispatch.settings import Settings
from qdispatch_aer.devices import qubits_for_memory
from qdispatch_core.domain import RunType
from qdispatch_core.errors import BadRequest
from qdispatch_qiskit import QiskitToolkit
from tests.contract.backend_contract import make_spec
from tests.samples import ghz

# 512 bytes: Aer advertises log2(512/16) = 5 qubits; with the simulators' 2x working memory a
# 4-qubit state vector fits and a 5-qubit one does not.
BUDGET = 2 * 16 * 2**4


@pytest.fixture
def app(tmp_path, monkeypatch):
    # The environment says otherwise: only the settings object may count.
    monkeypatch.setenv("QDISPATCH_SIMULATION_MEMORY_BYTES", str(8 * 2**30))
    settings = replace(
        Settings.from_env({"QDISPATCH_HOME": str(tmp_path)}),
        simulation_memory_bytes=BUDGET,
        cache_dir=tmp_path / "cache",
    )
    app = App(settings)
    yield app
    app.close()


def test_the_settings_budget_is_what_every_backend_advertises(app):
    registry = app.backends
    assert registry.settings == app.settings.backend_settings()
    listed = {d.id: d for d in registry.list_devices()}  # from the catalogs: nothing built
    assert listed["aer_simulator"].qubits == qubits_for_memory(BUDGET) == 5
    budgets = {}
    for name in registry.names():
        backend = registry.get(name)
        if hasattr(backend, "memory_limit_bytes"):
            budgets[name] = backend.memory_limit_bytes
    assert budgets == {"aer": BUDGET, "ibm": BUDGET}  # the providers that simulate locally
    assert registry.get("aer").get_device("aer_simulator").qubits == 5
    # the core's own check and the simulation processes use the same value
    assert app.services.limits.simulation_memory_bytes == BUDGET
    assert app.executor.config.backend_settings == registry.settings


def test_the_settings_budget_is_what_every_backend_enforces(app):
    toolkit = QiskitToolkit()
    aer, ibm = app.backends.get("aer"), app.backends.get("ibm")
    sv = RunType.STATEVECTOR
    device = aer.get_device("aer_simulator")
    aer.validate(device, make_spec(toolkit, [ghz(4, measure=False)], device.id, run_type=sv))
    with pytest.raises(BadRequest, match="more than the 512 B"):
        aer.validate(device, make_spec(toolkit, [ghz(5, measure=False)], device.id, run_type=sv))
    noisy = ibm.get_device("fake_guadalupe")
    ibm.validate(noisy, make_spec(toolkit, [ghz(4)], noisy.id))
    with pytest.raises(BadRequest, match="uses 5 qubits on fake_guadalupe"):
        ibm.validate(noisy, make_spec(toolkit, [ghz(5)], noisy.id))


def test_each_simulation_process_gets_its_share_of_the_cores_for_small_simulations(tmp_path):
    """`small_simulation_threads` is the cores over the simulation processes (at least one):
    four processes on two cores run small simulations single-threaded (issue 15)."""
    from qdispatch.settings import available_cores

    base = Settings.from_env({"QDISPATCH_HOME": str(tmp_path)})
    cores = available_cores()
    for processes in (1, 2, 4, 64):
        settings = replace(base, simulation_processes=processes)
        expected = max(1, cores // processes)
        assert settings.small_simulation_threads == expected
        assert settings.backend_settings().small_simulation_threads == expected
    assert replace(base, simulation_processes=cores * 2).small_simulation_threads == 1
