"""What ran on a local Braket simulator (issue 23): each distinct OpenQASM 3 program as sent
(noise pragmas included), stored once, with the wire read into each output bit, the
transpiler settings and the SDK versions."""

from __future__ import annotations

import hashlib
from importlib import metadata
from typing import Any

from qdispatch_braket import programs, tasks
from qdispatch_braket.outputs import counts_sources
from qdispatch_braket.settings import RunSettings
from qdispatch_braket.workload import Workload
from qdispatch_core.ports.backend import JobSpec

PACKAGES = ("amazon-braket-sdk", "amazon-braket-default-simulator", "qiskit")


def versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _slots(spec: JobSpec) -> list[tuple[Any, int | None, int, int]]:
    """(circuit, group, first executable, executables) of each sampled unit, in order."""
    return [(b.circuit, b.group, b.first, b.size) for b in tasks.batches(spec.plan)]


def what_ran(
    spec: JobSpec, device_id: str, workload: Workload, settings: RunSettings
) -> dict[str, Any]:
    texts: dict[str, str] = {}
    executed = []
    for (circuit, group, first, count), unit in zip(_slots(spec), workload.units, strict=False):
        text = programs.with_noise(unit.source.text, settings.noise)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        texts.setdefault(digest, text)
        executed.append(
            {
                "circuit": circuit,
                "group": group,
                "executables": [first, count],
                "program": digest,
                # Local simulators run the circuit's own qubits (Braket never renumbers);
                # the program measures every qubit into its b register, which the job's
                # classical bits then read: bit i <- qubit sources[i].
                "virtual_to_physical": list(range(spec.plan.circuits[circuit].qubits)),
                "clbit_to_physical": counts_sources(spec, circuit, group),
            }
        )
    return {
        "device": device_id,
        "format": "openqasm3 (Braket)",
        "optimization_level": settings.optimization_level,
        "seeds": {
            "seed_transpiler": settings.seed_transpiler,
            "seed_simulator": None,
            "simulator_seeds": "unseeded: Braket's local simulators take no seed",
        },
        "versions": versions(),
        "executed": executed,
        "programs": texts,
    }
