"""What ran (issue 23): per PUB, the program as sent (OpenQASM 3 of the ISA circuit, stored
once per distinct text), where the circuit's qubits and output bits sit on the device, and the
seeds and SDK versions that produced it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import metadata
from typing import Any

from qdispatch_core.ports.backend import JobSpec
from qdispatch_ibm.batches import PubPlan
from qdispatch_ibm.sdk import require
from qdispatch_ibm.settings import RunSettings

# Aer seeds experiment i of one call with seed + 2113·i (see docs/decisions.md).
SEED_RULE = "executable i samples with seed_simulator + 2113·i"
# How each kind of run used the programs recorded (the `run` argument of `what_ran`).
SAMPLED = "sampled"
EXACT = "exact"
ESTIMATOR = "estimator"
READ = {
    EXACT: "exact expectation values of the noisy state (Aer's density-matrix EstimatorV2 "
    "with the snapshot's noise model) of the observables mapped through virtual_to_physical; "
    "each program is the ISA circuit without final measurements, parameter sets bound by Aer",
    ESTIMATOR: "IBM's EstimatorV2 ran each program (the ISA circuit without measurements) with "
    "the observables mapped through virtual_to_physical; the measurement circuits are IBM's "
    "own choice and not returned, so they are not recorded",
}
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
    run: str = SAMPLED,
    resilience_level: int | None = None,
) -> dict[str, Any]:
    """The record of a job's PUB `circuits` (as sent) and their `plans`; `run` says how
    they ran (SAMPLED, EXACT on a fake twin, or by IBM's ESTIMATOR at `resilience_level`)."""
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
    record: dict[str, Any] = {
        "device": device_id,
        "format": "openqasm3",
        "optimization_level": settings.optimization_level,
        "seeds": _seeds(settings, local=local, run=run),
        "versions": versions(),
        "executed": executed,
        "programs": programs,
    }
    if run in READ:
        record["exact" if run == EXACT else "estimator"] = READ[run]
    if resilience_level is not None:
        record["resilience_level"] = resilience_level
    return record


def _seeds(settings: RunSettings, *, local: bool, run: str) -> dict[str, Any]:
    seeds: dict[str, Any] = {"seed_transpiler": settings.seed_transpiler}
    if not local:
        return seeds
    seeds["seed_simulator"] = settings.seed_simulator
    if run == EXACT:
        seeds["simulator_seeds"] = "not used: exact values sample nothing"
    else:
        seeds["simulator_seeds"] = SEED_RULE if settings.seed_simulator is not None else "unseeded"
    return seeds
