"""The toolkit's provider support that imports no Qiskit: lazy SDK imports with install hints,
the memory a local simulation needs and may use, and the committed device facts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from qdispatch_core.errors import BadRequest
from qdispatch_qiskit import committed, sdk
from qdispatch_qiskit.memory import (
    DENSITY_MATRIX,
    STATEVECTOR,
    check_fits,
    fits,
    human_bytes,
    max_qubits,
    state_bytes,
)

# -- lazy SDK imports -------------------------------------------------------------------------


def test_require_imports_the_module():
    assert sdk.require("json") is json


def test_a_missing_module_names_who_needs_it_and_the_package_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "vendor_sdk", None)  # makes `import vendor_sdk` fail
    with pytest.raises(ImportError) as missing:
        sdk.require("vendor_sdk", "qdispatch-vendor", "the Vendor provider")
    message = str(missing.value)
    assert message.startswith("the Vendor provider needs vendor_sdk, which cannot be imported (")
    assert message.endswith("; install it with: pip install qdispatch-vendor")
    assert isinstance(missing.value.__cause__, ImportError)


def test_by_default_the_toolkit_itself_is_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "qiskit", None)
    with pytest.raises(ImportError, match=r"toolkit needs qiskit.*pip install qdispatch-qiskit$"):
        sdk.require("qiskit")


def test_provider_support_imports_neither_qiskit_nor_numpy():
    code = (
        "import sys\n"
        "import qdispatch_qiskit.committed, qdispatch_qiskit.failures\n"
        "import qdispatch_qiskit.memory, qdispatch_qiskit.sdk\n"
        "heavy = [m for m in ('qiskit', 'numpy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# -- memory -----------------------------------------------------------------------------------


def test_dense_states_grow_as_two_and_four_to_the_n():
    assert state_bytes(STATEVECTOR, 10) == 16 * 2**10
    assert state_bytes(DENSITY_MATRIX, 10) == 16 * 4**10
    with pytest.raises(ValueError, match="unknown dense state 'mps'"):
        state_bytes("mps", 3)


def test_a_state_fits_with_its_working_memory():
    assert fits(STATEVECTOR, 4, 2 * 16 * 2**4) and not fits(STATEVECTOR, 5, 2 * 16 * 2**4)
    assert max_qubits(STATEVECTOR, 2 * 16 * 2**4) == 4
    assert max_qubits(DENSITY_MATRIX, 2 * 16 * 4**3) == 3
    assert max_qubits(DENSITY_MATRIX, 8 * 1024**3) == 14
    assert max_qubits(STATEVECTOR, 16) == 0


def test_human_bytes_is_the_cores():
    # one formatter for byte counts, the core's: whole bytes below 1 KiB
    assert human_bytes(512) == "512 B"
    assert human_bytes(2**20) == "1.0 MiB"
    assert human_bytes(1.5 * 2**30) == "1.5 GiB"
    assert human_bytes(2 * 2**40) == "2.0 TiB"


def test_a_state_that_does_not_fit_is_refused_with_the_figures():
    check_fits(STATEVECTOR, 15, 2**20, subject="s", doing="d", hint="h", field="f")
    with pytest.raises(BadRequest) as refused:
        check_fits(
            STATEVECTOR,
            16,
            2**20,
            subject="circuit 1 has 16 qubits",
            doing="simulating it with method 'statevector'",
            hint="use fewer qubits",
            field="run_type",
        )
    assert refused.value.field == "run_type"
    assert refused.value.message == (
        "circuit 1 has 16 qubits: simulating it with method 'statevector' needs a state vector "
        "of 16·2^16 bytes (1.0 MiB) plus working memory, 2.0 MiB in all, more than the 1.0 MiB "
        "a simulation may use here (QDISPATCH_SIMULATION_MEMORY_BYTES); use fewer qubits"
    )
    with pytest.raises(BadRequest, match=r"needs a density matrix of 16·4\^4 bytes \(4.0 KiB\)"):
        check_fits(DENSITY_MATRIX, 4, 2**12, subject="s", doing="d", hint="h", field="f")


# -- committed facts --------------------------------------------------------------------------


def test_committed_facts_are_read_from_the_package_once(tmp_path, monkeypatch):
    package = tmp_path / "qdispatch_fixture_provider"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "devices.json").write_text('{"devices": {"sim": {"qubits": 3}}}', "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    facts = committed.load("qdispatch_fixture_provider", "devices.json")
    assert facts == {"devices": {"sim": {"qubits": 3}}}
    (package / "devices.json").write_text("{}", encoding="utf-8")
    assert committed.load("qdispatch_fixture_provider", "devices.json") is facts


def test_generated_facts_are_written_as_indented_json(tmp_path):
    target = tmp_path / "devices.json"
    assert committed.write({"b": [1], "a": None}, target) == target
    assert target.read_text(encoding="utf-8") == '{\n  "b": [\n    1\n  ],\n  "a": null\n}\n'
    committed.write({"a": 1}, target, dumps=lambda d: "custom\n")
    assert target.read_text(encoding="utf-8") == "custom\n"


def test_the_lazy_names_are_the_ones_type_checkers_see():
    import qdispatch_qiskit

    assert qdispatch_qiskit.__all__ == sorted(qdispatch_qiskit._EXPORTS)
