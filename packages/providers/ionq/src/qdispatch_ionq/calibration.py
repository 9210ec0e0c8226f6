"""Readout-error mitigation on IonQ's noisy simulator (run contract §7), with the toolkit's
tensored correction (`qdispatch_qiskit.readout`).

IonQ offers no mitigation on its simulators, so qdispatch calibrates: two circuits (every
calibrated qubit prepared in 0, then in 1) ride at the end of the job's own IonQ job(s). They
run with the job's noise model, seed and shots, cost nothing on the free simulator, and are
found again from the plan alone after a worker restart. The calibrated qubits are every qubit
any executable reads, as IonQ numbers them (the histograms' keys).

The correction works on qubits, not output bits: each executable's histogram is narrowed to the
qubits it measures, corrected, and only then read into output bits, so two bits reading one
qubit stay one readout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qdispatch_core.ports.backend import JobSpec
from qdispatch_ionq.outputs import marginal
from qdispatch_ionq.programs import Compiler, Program, basis_of
from qdispatch_ionq.settings import RunSettings
from qdispatch_qiskit import readout

ZEROS, ONES = False, True  # a calibration circuit: does it prepare every qubit in 1?
CALIBRATION_CIRCUITS = (ZEROS, ONES)
METADATA_KEY = "qdispatch_calibration_circuits"  # in an IonQ job's metadata: how many it has


def measured_qubits(sources: Sequence[int | None]) -> tuple[int, ...]:
    return tuple(sorted({q for q in sources if q is not None}))


def calibrated_qubits(spec: JobSpec, settings: RunSettings, compiler: Compiler) -> tuple[int, ...]:
    """Every qubit an executable of the job reads (qubit 0 when none reads any: the
    calibration circuits must measure something)."""
    qubits: set[int] = set()
    for key in {(e.circuit, basis_of(spec, e)) for e in spec.plan.executables}:
        qubits.update(measured_qubits(compiler.shaped(spec, *key, settings).sources))
    return tuple(sorted(qubits)) or (0,)


def _on_qubits(histogram: Mapping[str, float], program: Program) -> dict[str, float]:
    """The calibration circuit's histogram over the qubits it measures (Qiskit order: the
    rightmost character is program.sources[0])."""
    return marginal(histogram, program.sources)


def from_histograms(
    zeros: Mapping[str, float],
    ones: Mapping[str, float],
    programs: Mapping[bool, Program],
    shots: int,
) -> readout.Calibration:
    """Each qubit's P(1|0) and P(0|1), from IonQ's frequencies for the two circuits."""
    sources = programs[ZEROS].sources
    positions = [q for q in reversed(sources) if q is not None]
    return readout.calibration_from_counts(
        _on_qubits(zeros, programs[ZEROS]), _on_qubits(ones, programs[ONES]), positions, shots
    )


def corrected(
    histogram: Mapping[str, float], sources: Sequence[int | None], calibration: readout.Calibration
) -> dict[str, float]:
    """Quasi-probabilities of the output bits (bit i reads qubit sources[i]): the histogram's
    measured qubits corrected, then read into bits."""
    qubits = measured_qubits(sources)
    if not qubits:
        return marginal(histogram, sources)  # nothing is read: every bit is always 0
    narrowed = marginal(histogram, qubits)  # rightmost character: qubits[0]
    quasi = readout.correct(narrowed, qubits[::-1], calibration)
    by_state: dict[str, float] = {}
    for bits, value in quasi.items():
        state = sum(1 << q for q, bit in zip(qubits, reversed(bits), strict=True) if bit == "1")
        by_state[str(state)] = value
    return {k: v for k, v in marginal(by_state, sources).items() if v}


def bit_rates(sources: Sequence[int | None], calibration: readout.Calibration) -> Any:
    """Per output bit, (P(1|0), P(0|1)) of the qubit it reads (see Execution.readout); None
    when a qubit feeds two bits (their errors are then not independent) or has no rates."""
    read = [q for q in sources if q is not None]
    if len(set(read)) != len(read) or any(q not in calibration.rates for q in read):
        return None
    return tuple(calibration.rates[q] if q is not None else None for q in sources)


def record(calibration: readout.Calibration, settings: RunSettings) -> dict[str, Any]:
    return {
        "applied": True,
        "method": "readout calibration (tensored)",
        "technique": "each qubit's 2x2 assignment matrix, measured by two calibration circuits "
        "(all qubits 0, all qubits 1) in the same IonQ job, inverted and applied to the "
        "measured distribution; results are quasi-probabilities",
        "noise_model": settings.noise_model,
        "calibration": calibration.summary(),
        "raw_counts": "in raw_results",
    }
