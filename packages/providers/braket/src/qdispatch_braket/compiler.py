"""Circuits compiled for a device once and reused: parsed, final measurements dropped,
rotated into a measurement basis when sampling observables, transpiled into the device's gates
(and onto its physical qubits when pinned). Parameters stay symbolic: a sweep compiles once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from qdispatch_braket.sdk import require
from qdispatch_braket.translation import IGNORED, qiskit_basis
from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.circuits import content_hash

DEFAULT_OPTIMIZATION_LEVEL = 1


@dataclass(frozen=True, slots=True)
class Profile:
    """How circuits are compiled for one device."""

    gates: tuple[str, ...]  # the device's Braket operations
    optimization_level: int = DEFAULT_OPTIMIZATION_LEVEL
    seed_transpiler: int | None = None
    # Pinned: placed on the device's own qubits (so that readout calibrations measure the
    # same ones) and routed by Qiskit on `coupling` (compact wire indices; None: all-to-all).
    # `labels[w]` is the device's name of wire w. Not pinned: virtual qubits, which Braket
    # places and routes itself (or a simulator that needs nothing of the kind).
    pinned: bool = False
    coupling: tuple[tuple[int, int], ...] | None = None
    labels: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class Compiled:
    circuit: Any  # transpiled QuantumCircuit, without measurements; the caller's own copy
    positions: tuple[int, ...]  # the wire holding each source qubit at the end
    qubits: int  # of the source circuit
    labels: tuple[int, ...] | None  # pinned: the device qubit of each wire; None: virtual

    @property
    def measured(self) -> tuple[int, ...]:
        """The qubit Braket reports for each source qubit's bit: device qubits when pinned."""
        if self.labels is None:
            return self.positions
        return tuple(self.labels[w] for w in self.positions)


def measurement_basis_key(basis: str | None) -> str:
    return basis or "Z*"


class Compiler:
    def __init__(self, cache_size: int = 256) -> None:
        cache = require("qdispatch_qiskit.cache")
        self._programs = cache.LruCache(maxsize=cache_size)
        self._targets = cache.LruCache(maxsize=32)

    @property
    def transpilations(self) -> int:
        return self._programs.misses

    def compile(self, qasm: str, basis: str | None, profile: Profile) -> Compiled:
        """`qasm` without its final measurements, rotated into `basis` (a measurement group's
        Pauli string, or None), transpiled for `profile`."""
        key = (content_hash(qasm), measurement_basis_key(basis), profile)
        # Each caller gets its own copy, made under the cache's lock: no Qiskit object is
        # shared between request and worker threads.
        return self._programs.get_or_create(
            key,
            lambda: self._compile(qasm, basis, profile),
            share=lambda c: replace(c, circuit=c.circuit.copy()),
        )

    def _target(self, profile: Profile, width: int) -> Any:
        def build() -> Any:
            transpiler = require("qiskit.transpiler")
            basis = list(qiskit_basis(profile.gates))
            if profile.coupling is None:
                return transpiler.Target.from_configuration(basis_gates=basis, num_qubits=width)
            edges = [list(e) for e in profile.coupling]
            return transpiler.Target.from_configuration(
                basis_gates=basis,
                num_qubits=len(profile.labels or ()) or None,
                coupling_map=transpiler.CouplingMap(edges),
            )

        width_key = width if profile.coupling is None else None
        return self._targets.get_or_create((profile.gates, profile.coupling, width_key), build)

    def _compile(self, qasm: str, basis: str | None, profile: Profile) -> Compiled:
        qk = require("qdispatch_qiskit")
        source = qk.parse_qasm(qasm)
        circuit = qk.drop_final_measurements(source)
        if basis is not None:
            circuit = qk.drop_final_measurements(qk.measure_in_basis(circuit, basis))
        circuit = _without_ignored(circuit)
        target = self._target(profile, circuit.num_qubits)
        try:
            transpiled = qk.transpile_for(
                circuit,
                target,
                optimization_level=profile.optimization_level,
                seed_transpiler=profile.seed_transpiler,
            )
        except BadRequest as exc:  # the transpiler's refusal, in its own words
            raise _untranslatable(exc.message, profile) from None
        except Exception as exc:
            raise _untranslatable(
                f"the circuit cannot be translated into the device's gates: {exc}", profile
            ) from None
        return Compiled(
            circuit=transpiled,
            positions=tuple(qk.final_positions(transpiled, source.num_qubits)),
            qubits=source.num_qubits,
            labels=_labels(profile, transpiled.num_qubits) if profile.pinned else None,
        )


def _untranslatable(why: str, profile: Profile) -> BadRequest:
    # the cause first: the device's gate list is long and says less
    return BadRequest(f"{why} (the device's gates: {', '.join(profile.gates)})")


def _labels(profile: Profile, width: int) -> tuple[int, ...]:
    return profile.labels if profile.labels is not None else tuple(range(width))


def _without_ignored(circuit: Any) -> Any:
    if not any(i.operation.name in IGNORED for i in circuit.data):
        return circuit
    out = circuit.copy_empty_like()
    for instruction in circuit.data:
        if instruction.operation.name not in IGNORED:
            out.append(instruction)
    return out


def restore_order(circuit: Any, positions: Sequence[int]) -> Any:
    """A copy whose wire q holds source qubit q at the end (swaps undo the transpiler's
    relabelling), so a state vector comes out in the source's qubit order."""
    out = circuit.copy()
    where = list(positions)  # where[q]: the wire holding source qubit q
    for q in range(len(where)):
        if where[q] == q:
            continue
        other = where.index(q)  # the source qubit currently on wire q
        out.swap(q, where[q])
        where[other], where[q] = where[q], q
    return out
