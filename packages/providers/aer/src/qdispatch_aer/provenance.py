"""What ran on Aer (issue 23): per circuit and measurement group, the transpiled circuit as
simulated (OpenQASM 3, basis rotations included, stored once per distinct text), the qubit each
output bit reads, seeds and SDK versions. Exact runs simulate the circuit without its final
measurements, every parameter set bound by Aer into the one program; `exact` says what was
read from the final state."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

from qdispatch_aer.batches import Batch, split
from qdispatch_aer.engine import Engine, variant
from qdispatch_aer.sdk import require
from qdispatch_aer.settings import RunSettings
from qdispatch_core.ports.backend import JobSpec
from qdispatch_core.rules.circuits import content_hash

if TYPE_CHECKING:
    from qdispatch_qiskit.cache import LruCache

PACKAGES = ("qiskit", "qiskit-aer")
SEED_RULE = (
    "batch 0 (a circuit's first group) uses seed_simulator, later batches a SHA-256 "
    "derivation of it; parameter set i of a batch adds 2113·i"
)
# What an exact run read from each program's final state (runners.py).
EXACT = {
    "statevector": "the state vector saved after the program (save_statevector), its "
    "amplitudes reordered to the circuit's own qubits",
    "expectations": "exact expectation values (Aer EstimatorV2, precision 0) of the "
    "observables mapped through virtual_to_physical",
}


@functools.cache
def _installed() -> tuple[tuple[str, str], ...]:
    # Read once per process: importlib.metadata parses each package's METADATA file
    # (~3 ms a call, every small job paid it twice), and the versions of the SDKs this
    # process has already imported cannot change under it.
    found = []
    for name in PACKAGES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            continue
    return tuple(found)


def versions() -> dict[str, str]:
    return dict(_installed())


def _read_bits(circuit: Any) -> list[int | None]:
    """The qubit each classical bit of `circuit` last measured (None: never written)."""
    qubit_of = {q: i for i, q in enumerate(circuit.qubits)}
    bit_of = {c: i for i, c in enumerate(circuit.clbits)}
    read: list[int | None] = [None] * circuit.num_clbits
    for instruction in circuit.data:
        if instruction.operation.name == "measure":
            read[bit_of[instruction.clbits[0]]] = qubit_of[instruction.qubits[0]]
    return read


@dataclass(frozen=True)
class _Ran:
    """What one batch's program was: its OpenQASM 3 text and where its bits and qubits went."""

    digest: str
    text: str
    virtual_to_physical: tuple[int, ...]
    clbit_to_physical: tuple[int | None, ...]


# Per process, keyed like the compiler's program cache plus the measurement basis: exporting
# a transpiled circuit to OpenQASM 3 cost a small job ~3 ms of the worker's GIL every time,
# for the same text (issue 15).
_RAN: LruCache[_Ran] | None = None


def _ran_cache() -> LruCache[_Ran]:
    global _RAN
    if _RAN is None:
        from qdispatch_qiskit.cache import LruCache

        _RAN = LruCache(maxsize=256)
    return _RAN


def what_ran(
    spec: JobSpec, device_id: str, engine: Engine, settings: RunSettings
) -> dict[str, Any]:
    texts: dict[str, str] = {}
    executed = []
    for batch in split(spec.plan):
        ran = _batch_ran(spec, batch, engine, settings)
        texts.setdefault(ran.digest, ran.text)
        executed.append(
            {
                "circuit": batch.circuit,
                "group": batch.group,
                "executables": [batch.first, batch.size],
                "program": ran.digest,
                "virtual_to_physical": list(ran.virtual_to_physical),
                "clbit_to_physical": list(ran.clbit_to_physical),
            }
        )
    record: dict[str, Any] = {
        "device": device_id,
        "format": "openqasm3",
        "method": settings.method,
        "optimization_level": settings.optimization_level,
        "seeds": _seeds(spec, settings),
        "versions": versions(),
        "executed": executed,
        "programs": texts,
    }
    if spec.plan.output_kind in EXACT:
        record["exact"] = EXACT[spec.plan.output_kind]
    return record


def _batch_ran(spec: JobSpec, batch: Batch, engine: Engine, settings: RunSettings) -> _Ran:
    groups = spec.plan.circuits[batch.circuit].groups
    basis = groups[batch.group].basis if batch.group is not None and groups is not None else None
    key = (
        content_hash(spec.circuits[batch.circuit].qasm),
        variant(spec, batch.circuit),
        settings.transpile_key,
        basis,
    )
    return _ran_cache().get_or_create(key, lambda: _describe(spec, batch, basis, engine, settings))


def _describe(
    spec: JobSpec, batch: Batch, basis: Any, engine: Engine, settings: RunSettings
) -> _Ran:
    qk = require("qdispatch_qiskit")
    program = engine.program(spec, batch.circuit, settings)
    circuit = program.circuit
    if basis is not None:
        circuit = qk.measure_in_basis(circuit, basis, program.positions)
        bits: list[int | None] = list(program.positions)  # bit i reads source qubit i
    else:
        bits = _read_bits(circuit)
    text = qk.to_qasm3(circuit)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return _Ran(digest, text, tuple(program.positions), tuple(bits))


def _seeds(spec: JobSpec, settings: RunSettings) -> dict[str, Any]:
    if spec.plan.output_kind in EXACT:
        simulator_seeds = "not used: exact simulation samples nothing"
    elif settings.seed_simulator is None:
        simulator_seeds = "unseeded"
    else:
        simulator_seeds = SEED_RULE
    return {
        "seed_transpiler": settings.seed_transpiler,
        "seed_simulator": settings.seed_simulator,
        "simulator_seeds": simulator_seeds,
    }
