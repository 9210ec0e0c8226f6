"""Device facts read from the simulator itself, kept in a committed data file.

Listing devices must not import Qiskit (the CLI's `qdispatch devices` starts in a fraction of
a second), so the facts live in `devices.json`, written by `python -m qdispatch_aer.catalog`
from a live AerSimulator. A test regenerates them and compares, so a new qiskit-aer that
changes its gates, shot limit or methods is caught instead of silently misdescribed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qdispatch_aer.sdk import require
from qdispatch_qiskit import committed

FACTS_FILE = "devices.json"

# device id -> (display name, Aer method, description)
DEVICES: dict[str, tuple[str, str, str]] = {
    "aer_simulator": (
        "Aer simulator",
        "automatic",
        "Qiskit Aer, noiseless; picks statevector or stabilizer per circuit (option `method` "
        "chooses another). Qubits bounded by the memory a simulation may use.",
    ),
    "aer_simulator_mps": (
        "Aer matrix product state simulator",
        "matrix_product_state",
        "Qiskit Aer's matrix product state method, noiseless: for wide circuits with little "
        "entanglement.",
    ),
}

# What a method must do for each kind of output the core plans (rules/plan.py output_kind).
OUTPUT_KINDS = ("counts", "statevector", "expectations")


def load_facts() -> dict[str, Any]:
    """The committed facts (no Qiskit import)."""
    return committed.load("qdispatch_aer", FACTS_FILE)


# -- generation, from a live simulator --------------------------------------------------------


@contextlib.contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    # Probing a method on an output it cannot produce makes Aer log a warning; that is the answer
    # we are looking for, not a problem to report.
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _probe_circuit(kind: str):
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import Pauli

    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    if kind == "counts":
        circuit.measure_all()
    elif kind == "statevector":
        circuit.save_statevector()
    else:
        circuit.save_expectation_value(Pauli("ZZ"), [0, 1])
    return circuit


def _can(simulator: Any, kind: str) -> bool:
    try:
        return bool(simulator.run(_probe_circuit(kind), shots=4).result().success)
    except Exception:
        return False


def _capabilities(method: str) -> list[str]:
    aer = require("qiskit_aer")
    simulator = aer.AerSimulator(method=method)
    with _quiet("qiskit_aer"):
        return [kind for kind in OUTPUT_KINDS if _can(simulator, kind)]


def _qubits(simulator: Any) -> int | None:
    """None where Aer derives the limit from memory (the backend applies the same rule to the
    memory it may use); the fixed figure otherwise."""
    backend_utils = require("qiskit_aer.backends.backend_utils")
    n = simulator.configuration().n_qubits
    return None if n == backend_utils.MAX_QUBITS_STATEVECTOR else int(n)


def _basis_gates(simulator: Any) -> list[str]:
    # save_*/set_* are Aer's own state instructions, not gates a circuit source can contain.
    names = simulator.configuration().basis_gates
    return sorted({n for n in names if not n.startswith(("save_", "set_"))})


def _device_facts(default_method: str, methods: list[str]) -> dict[str, Any]:
    aer = require("qiskit_aer")
    simulator = aer.AerSimulator(method=default_method)
    capabilities = {m: _capabilities(m) for m in methods}
    return {
        "method": default_method,
        "qubits": _qubits(simulator),
        "max_shots": int(simulator.configuration().max_shots),
        "basis_gates": _basis_gates(simulator),
        # methods a job may choose, with the outputs each can produce
        "methods": {m: kinds for m, kinds in capabilities.items() if kinds},
    }


def generate_facts() -> dict[str, Any]:
    """Facts for every device, from the installed qiskit-aer."""
    aer = require("qiskit_aer")
    available = list(aer.AerSimulator().available_methods())
    devices = {}
    for device_id, (_, method, _) in DEVICES.items():
        methods = available if method == "automatic" else [method]
        devices[device_id] = _device_facts(method, methods)
    return {
        "generated_by": "python -m qdispatch_aer.catalog",
        "qiskit_aer": aer.__version__,
        "devices": devices,
    }


def write_facts(path: Path | None = None) -> Path:
    return committed.write(generate_facts(), path or Path(__file__).with_name(FACTS_FILE))


if __name__ == "__main__":
    print(f"wrote {write_facts()}")
