"""What ran on IonQ (issue 23): each distinct program as sent (IonQ's JSON circuit, as
cirq-ionq serializes it: parameters are bound, so a sweep sends one per parameter set), the
qubit each output bit reads, settings, seeds and SDK versions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from importlib import metadata
from typing import Any

from qdispatch_core.rules.plan import Executable
from qdispatch_core.rules.ran import fold_executed
from qdispatch_ionq.programs import Program
from qdispatch_ionq.sdk import require
from qdispatch_ionq.settings import RunSettings

PACKAGES = ("cirq-core", "cirq-ionq", "qiskit")


def versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def program_text(program: Program) -> str:
    serialized = require("cirq_ionq").Serializer().serialize_single_circuit(program.circuit)
    return json.dumps(serialized.input, sort_keys=True, separators=(",", ":"))


def what_ran(
    device_id: str,
    ran: Sequence[tuple[Executable, Program]],
    qubits: Sequence[int],
    settings: RunSettings,
) -> dict[str, Any]:
    """`ran`: each executable with its program, in plan order; `qubits`: each circuit's."""
    texts: dict[str, str] = {}

    def row(e: Executable, program: Program) -> tuple[int, int, int | None, str, dict[str, Any]]:
        text = program_text(program)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        texts.setdefault(digest, text)
        layout = {
            # IonQ's qubits are all-to-all: the circuit's own qubit numbers are sent.
            "virtual_to_physical": list(range(qubits[e.circuit])),
            "clbit_to_physical": list(program.sources),
        }
        return e.index, e.circuit, e.group, digest, layout

    executed = fold_executed(row(e, program) for e, program in ran)
    return {
        "device": device_id,
        "format": "IonQ JSON circuit (qis gateset)",
        "optimization_level": settings.optimization_level,
        "noise_model": settings.noise_model,
        "seeds": {
            "seed_transpiler": settings.seed_transpiler,
            "seed_simulator": settings.seed_simulator,
        },
        "versions": versions(),
        "executed": executed,
        "programs": texts,
    }
