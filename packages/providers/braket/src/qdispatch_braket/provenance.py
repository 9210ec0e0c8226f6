"""What ran on Braket (issue 23): each distinct OpenQASM 3 program as sent (noise pragmas
included on the local density-matrix simulator), stored once, with the wire read into each
output bit, the transpiler settings and the SDK versions.

Sampled programs take their parameters as inputs: one program per circuit and group however
many parameter sets. Exact programs (state vectors, expectation values) bind their values: one
per executable, consecutive repeats merged. Readout-calibration programs a cloud job adds are
listed apart (`calibration_programs`)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import metadata
from typing import Any

from qdispatch_braket import batches, programs
from qdispatch_braket.batches import Unit, Workload
from qdispatch_braket.mitigation import DEBIAS_TYPE
from qdispatch_braket.outputs import Reading, counts_sources
from qdispatch_braket.programs import NOISELESS, Noise
from qdispatch_braket.settings import RunSettings
from qdispatch_core.ports.backend import JobSpec
from qdispatch_core.rules.ran import fold_executed

PACKAGES = ("amazon-braket-sdk", "amazon-braket-default-simulator", "qiskit")
UNSEEDED = "unseeded: Braket's simulators take no seed"
PLACED_BY_BRAKET = (
    "virtual qubits: Braket's compiler places and routes them on the device, so "
    "virtual_to_physical and clbit_to_physical are null (the physical qubit each bit read is "
    "in the counts' measured qubits as Braket reports them)"
)

READ_BACK = (
    "programs as Braket's task results name them (the tasks were submitted by another "
    "process, whose record of the layout is lost; versions are the fetching process's)"
)


def versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


class _Programs:
    """Program texts by id (a hash of the text), each stored once."""

    def __init__(self, noise: Noise) -> None:
        self.noise = noise
        self.texts: dict[str, str] = {}

    def add(self, unit: Unit) -> str:
        return self.add_text(programs.with_noise(unit.source.text, self.noise))

    def add_text(self, text: str) -> str:
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        self.texts.setdefault(digest, text)
        return digest


def _sampled(
    spec: JobSpec, units: Sequence[Unit], found: _Programs, placed_by_braket: bool
) -> list[dict[str, Any]]:
    executed = []
    for batch, unit in zip(batches.batches(spec.plan), units, strict=False):
        assert batch.circuit is not None
        # Every source qubit q is measured into b[q] on wire `measured[q]` (the device's own
        # qubit when pinned); the job's classical bits then read b: bit i <- source qubit s.
        wires = list(unit.source.measured)
        sources = counts_sources(spec, batch.circuit, batch.group)
        executed.append(
            {
                "circuit": batch.circuit,
                "group": batch.group,
                "executables": [batch.first, batch.size],
                "program": found.add(unit),
                "virtual_to_physical": None if placed_by_braket else wires,
                "clbit_to_physical": (
                    None if placed_by_braket else [None if s is None else wires[s] for s in sources]
                ),
            }
        )
    return executed


def _exact(spec: JobSpec, units: Sequence[Unit], found: _Programs) -> list[dict[str, Any]]:
    """One entry per run of executables of one circuit sharing a program (their qubits in
    the circuit's own order: the programs undo the transpiler's relabelling)."""
    return fold_executed(
        (
            e.index,
            e.circuit,
            None,
            found.add(unit),
            {
                "virtual_to_physical": list(range(spec.plan.circuits[e.circuit].qubits)),
                "clbit_to_physical": [],  # result types read the state; nothing is measured
            },
        )
        for e, unit in zip(spec.plan.executables, units, strict=False)
    )


def _record(
    spec: JobSpec, device_id: str, settings: RunSettings, executed: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "device": device_id,
        "format": "openqasm3 (Braket)",
        "optimization_level": settings.optimization_level,
        "seeds": {
            "seed_transpiler": settings.seed_transpiler,
            "seed_simulator": None,
            "simulator_seeds": UNSEEDED,
        },
        "versions": versions(),
        "executed": executed,
    }


def read_back(
    spec: JobSpec, device_id: str, settings: RunSettings, found: Sequence[Reading]
) -> dict[str, Any] | None:
    """What ran, from the programs Braket's results name (for tasks another process
    submitted); None where a result does not say. The layout is not known here."""
    texts = [r.program for r in found]
    if len(texts) < len(spec.plan.executables) or any(t is None for t in texts):
        return None
    programs_ = _Programs(NOISELESS)
    unknown = {"virtual_to_physical": None, "clbit_to_physical": None}
    executed = fold_executed(
        (e.index, e.circuit, e.group, programs_.add_text(text or ""), unknown)
        for e, text in zip(spec.plan.executables, texts, strict=False)
    )
    record = _record(spec, device_id, settings, executed)
    record["programs"] = programs_.texts
    extra = [t for t in texts[len(spec.plan.executables) :] if t is not None]
    if extra:
        record["calibration_programs"] = list(dict.fromkeys(programs_.add_text(t) for t in extra))
    record["read_back"] = READ_BACK
    return record


def what_ran(
    spec: JobSpec,
    device_id: str,
    workload: Workload,
    settings: RunSettings,
    *,
    noise: Noise = NOISELESS,
    placed_by_braket: bool = False,
) -> dict[str, Any]:
    """The record of `workload` as sent to `device_id` (with `noise` pragmas: the local
    simulators'); `placed_by_braket`: a QPU given virtual qubits, whose layout Braket
    chooses."""
    found = _Programs(noise)
    exact = spec.plan.output_kind != "counts"
    count = len(spec.plan.executables) if exact else len(batches.batches(spec.plan))
    units, extra = workload.units[:count], workload.units[count:]
    executed = (
        _exact(spec, units, found) if exact else _sampled(spec, units, found, placed_by_braket)
    )
    record = _record(spec, device_id, settings, executed)
    record["programs"] = found.texts
    if extra:
        record["calibration_programs"] = [found.add(unit) for unit in extra]
    if placed_by_braket:
        record["placement"] = PLACED_BY_BRAKET
    if workload.debias:
        record["device_parameters"] = {"errorMitigation": [{"type": DEBIAS_TYPE}]}
    return record
