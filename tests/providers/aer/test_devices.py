"""Devices from the committed facts: what they promise, how fast they list, and that the facts
still match the installed simulator."""

from __future__ import annotations

import subprocess
import sys

import pytest

from qdispatch_aer import AerBackend
from qdispatch_aer.catalog import generate_facts, load_facts
from qdispatch_aer.devices import qubits_for_memory
from qdispatch_aer.sdk import require
from qdispatch_core.domain import Cost, DeviceStatus, RunType
from qdispatch_core.ports.backend_settings import BackendSettings
from tests.contract.backend_contract import drive, make_spec
from tests.samples import BELL_QASM2


def test_the_committed_facts_match_the_installed_simulator():
    # On a mismatch, run `uv run python -m qdispatch_aer.catalog` and review the diff.
    assert generate_facts() == load_facts()


def test_qubits_follow_aers_own_memory_rule():
    from qiskit_aer import AerSimulator
    from qiskit_aer.backends.backend_utils import SYSTEM_MEMORY_GB

    host = qubits_for_memory(int(SYSTEM_MEMORY_GB * 1024**3))
    assert host == AerSimulator().configuration().n_qubits
    assert qubits_for_memory(8 * 1024**3) == 29
    assert qubits_for_memory(2**20) == 16


def test_listing_devices_imports_no_qiskit_and_no_numpy():
    code = (
        "import sys\n"
        "from qdispatch_aer import AerBackend\n"
        "devices = AerBackend().list_devices()\n"
        "assert [d.id for d in devices] == ['aer_simulator', 'aer_simulator_mps'], devices\n"
        "heavy = [m for m in ('qiskit', 'qiskit_aer', 'numpy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_device_descriptions():
    backend = AerBackend(memory_limit_bytes=2**30)
    dense, mps = backend.list_devices()
    assert (dense.id, dense.qubits, mps.id, mps.qubits) == (
        "aer_simulator",
        26,
        "aer_simulator_mps",
        63,
    )
    for device in (dense, mps):
        assert device.provider == "aer" and device.simulator and device.local and not device.noisy
        assert device.status is DeviceStatus.ONLINE
        assert device.run_types == (RunType.RUN, RunType.STATEVECTOR)
        assert device.pricing is None and device.credential_options == ()
        assert device.mitigation == "none needed: noiseless simulator"
        assert device.max_shots == 1_000_000 and device.coupling_map is None
        assert {"h", "cx", "rz", "sdg"} <= set(device.basis_gates)
        assert not [g for g in device.basis_gates if g.startswith(("save_", "set_"))]
        assert [o.name for o in device.options] == [
            "method",
            "seed_simulator",
            "seed_transpiler",
            "optimization_level",
            "max_parallel_threads",
            "precision",
        ]
    assert dense.option("method").choices == (
        "automatic",
        "statevector",
        "density_matrix",
        "stabilizer",
        "matrix_product_state",
        "extended_stabilizer",
    )
    assert mps.option("method").choices == ("matrix_product_state",)
    assert (
        dense.option("optimization_level").minimum,
        dense.option("optimization_level").maximum,
    ) == (0, 3)
    assert dense.option("precision").choices == ("double", "single")
    backend.close()


def test_memory_limit_comes_from_the_settings_not_the_environment(monkeypatch):
    monkeypatch.setenv("QDISPATCH_SIMULATION_MEMORY_BYTES", "lots")  # providers never read it
    backend = AerBackend(settings=BackendSettings(simulation_memory_bytes=2**24))
    assert backend.memory_limit_bytes == 2**24 and backend.get_device("aer_simulator").qubits == 20
    backend.close()


def test_a_missing_sdk_names_the_package_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "qiskit_aer", None)  # makes `import qiskit_aer` fail
    with pytest.raises(ImportError, match="pip install qdispatch-aer"):
        require("qiskit_aer")


def test_cost_is_free_and_mitigation_is_not_needed(qiskit_toolkit):
    backend = AerBackend()
    spec = make_spec(
        qiskit_toolkit, [BELL_QASM2] * 2, "aer_simulator", shots=300, use_mitigation=True
    )
    device = backend.get_device("aer_simulator")
    estimate = backend.estimate_cost(device, spec)
    assert estimate == Cost.free("shots", 600) and estimate.billable_usd == 0
    _, _, execution = drive(backend, spec, {})
    assert execution.mitigation == {"applied": False, "reason": "not needed: noiseless simulator"}
    assert execution.cost.usd == 0.0
    plain = make_spec(qiskit_toolkit, [BELL_QASM2], "aer_simulator", shots=10)
    assert drive(backend, plain, {})[2].mitigation is None
    backend.close()


def test_prepare_reports_the_transpiled_circuits(aer, qiskit_toolkit):
    source = BELL_QASM2.replace("h q[0];", "h q[0];\nrx(0.1) q[0];\nrx(0.2) q[0];")
    spec = make_spec(qiskit_toolkit, [source], "aer_simulator", options={"optimization_level": 1})
    plan = aer.prepare(aer.get_device("aer_simulator"), spec)
    # level 1 merges the three single-qubit gates into one
    assert plan.circuits == ({"index": 0, "transpiled_depth": 3, "transpiled_2q_gates": 1},)
    assert "optimization_level 1" in plan.notes[0]
