"""What ran (issue 23): per PUB, the program as sent (OpenQASM 3 of the ISA circuit, stored
once per distinct text), where the circuit's qubits and output bits sit on the device, and the
seeds and SDK versions that produced it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import metadata
from typing import Any

from qdispatch_core.ports.backend import JobSpec
from qdispatch_ibm.pubs import PubPlan
from qdispatch_ibm.sdk import require
from qdispatch_ibm.settings import RunSettings

# Aer seeds experiment i of one call with seed + 2113·i (see docs/decisions.md).
SEED_RULE = "executable i samples with seed_simulator + 2113·i"
PACKAGES = ("qiskit", "qiskit-ibm-runtime", "qiskit-aer", "mthree")


def versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def what_ran(
    spec: JobSpec,
    device_id: str,
    circuits: Sequence[Any],
    plans: Sequence[PubPlan],
    *,
    local: bool,
) -> dict[str, Any]:
    """The record of a job's PUB `circuits` (as sent) and their `plans`."""
    qk = require("qdispatch_qiskit")
    settings = RunSettings.resolve(spec.options)
    programs: dict[str, str] = {}
    executed = []
    for plan, circuit in zip(plans, circuits, strict=False):
        text = qk.to_qasm3(circuit)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        programs.setdefault(digest, text)
        qubits = spec.plan.circuits[plan.circuit].qubits
        executed.append(
            {
                "circuit": plan.circuit,
                "group": plan.group,
                "executables": [plan.first, plan.sets],
                "program": digest,
                # None where the circuit came back without its layout (a cloud job's inputs)
                "virtual_to_physical": (
                    qk.final_positions(circuit, qubits) if circuit.layout is not None else None
                ),
                "clbit_to_physical": list(plan.measured) if plan.measured is not None else None,
            }
        )
    seeds: dict[str, Any] = {"seed_transpiler": settings.seed_transpiler}
    if local:
        seeds["seed_simulator"] = settings.seed_simulator
        seeds["simulator_seeds"] = SEED_RULE if settings.seed_simulator is not None else "unseeded"
    return {
        "device": device_id,
        "format": "openqasm3",
        "optimization_level": settings.optimization_level,
        "seeds": seeds,
        "versions": versions(),
        "executed": executed,
        "programs": programs,
    }
