"""What the installed cirq-ionq says about IonQ's API, kept in a committed data file.

Listing devices must not import cirq (it takes seconds), so these facts live in `devices.json`,
written by `python -m qdispatch_ionq.catalog`. A test regenerates them from the installed SDK and
compares: a cirq-ionq that adds a job status, renames a gate or changes its noise models is
caught instead of silently misdescribed.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from qdispatch_ionq.sdk import require
from qdispatch_qiskit import committed

FACTS_FILE = "devices.json"
_NOISE_MODELS = re.compile(r"Available noise models:\s*([a-z0-9\-, ]+)")


def load_facts() -> dict[str, Any]:
    """The committed facts (no cirq import)."""
    return committed.load("qdispatch_ionq", FACTS_FILE)


# -- generation, from the installed SDK -------------------------------------------------------


def _qis_gate_names() -> list[str]:
    """The gate names the serializer writes for IonQ's QIS gateset (what our compiled circuits
    contain), read by serializing one circuit holding every gate family."""
    cirq = require("cirq")
    cirq_ionq = require("cirq_ionq")
    a, b = cirq.LineQubit.range(2)
    probe = cirq.Circuit(
        [cirq.X(a), cirq.Y(a), cirq.Z(a), cirq.H(a), cirq.S(a), cirq.S(a) ** -1, cirq.T(a)],
        [cirq.T(a) ** -1, cirq.X(a) ** 0.5, cirq.X(a) ** -0.5],
        [cirq.rx(0.1)(a), cirq.ry(0.1)(a), cirq.rz(0.1)(a), cirq.CNOT(a, b), cirq.SWAP(a, b)],
        [cirq.XX(a, b) ** 0.1, cirq.YY(a, b) ** 0.1, cirq.ZZ(a, b) ** 0.1],
    )
    ops = cirq_ionq.Serializer().serialize_single_circuit(probe).input["circuit"]
    return list(dict.fromkeys(op["gate"] for op in ops))


def _noise_models() -> list[str]:
    """cirq-ionq names the simulator's noise models only in its documentation."""
    service = require("cirq_ionq").Service
    match = _NOISE_MODELS.search(inspect.getdoc(service.create_job) or "")
    if match is None:
        raise RuntimeError("cirq_ionq.Service.create_job no longer lists its noise models")
    return [m.strip() for m in match[1].split(",") if m.strip()]


def generate_facts() -> dict[str, Any]:
    cirq_ionq = require("cirq_ionq")
    job = cirq_ionq.Job
    api_version = inspect.signature(cirq_ionq.Service).parameters["api_version"].default
    return {
        "generated_by": "python -m qdispatch_ionq.catalog",
        "cirq_ionq": cirq_ionq.__version__,
        "api_version": api_version,
        "job_states": list(job.ALL_STATES),
        "terminal_states": list(job.TERMINAL_STATES),
        "noise_models": _noise_models(),
        "qis_gates": _qis_gate_names(),
    }


def write_facts(path: Path | None = None) -> Path:
    return committed.write(generate_facts(), path or Path(__file__).with_name(FACTS_FILE))


if __name__ == "__main__":
    print(f"wrote {write_facts()}")
