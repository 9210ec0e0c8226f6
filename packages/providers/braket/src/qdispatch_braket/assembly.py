"""From a job's readings to the outputs, raw counts and mitigation record of an Execution."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qdispatch_braket import mitigation as m
from qdispatch_braket import outputs
from qdispatch_braket.readings import Reading
from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend import JobSpec

NO_PINNING = (
    "the device does not accept circuits on its own qubits ($n), so no readout calibration "
    "could be tied to the job's qubits"
)


@dataclass(frozen=True, slots=True)
class Assembled:
    outputs: list[Any]
    raw_outputs: list[Any] | None
    mitigation: dict[str, Any] | None


def _record_not_applied(decision: m.Decision, reason: str | None = None) -> dict[str, Any] | None:
    if decision.mode == m.NOT_REQUESTED:
        return None
    return {"applied": False, "reason": reason or decision.reason}


def _readout_record(calibration: m.Calibration) -> dict[str, Any]:
    return {
        "applied": True,
        "method": "readout_error_mitigation",
        "technique": "tensored: each qubit's 2x2 confusion matrix inverted",
        "calibration": calibration.summary(),
    }


def _debias_record() -> dict[str, Any]:
    return {
        "applied": True,
        "method": "ionq_debiasing",
        "technique": "IonQ runs symmetrized variants of each circuit and aggregates them; "
        "results are the aggregated probabilities",
        "raw_counts": "not available: the aggregation happens at IonQ",
    }


def _counts(
    spec: JobSpec,
    readings: Sequence[Reading],
    *,
    calibration: m.Calibration | None = None,
    probabilities: bool = False,
) -> tuple[list[Any], list[Any]]:
    """(outputs, raw counts) per executable: counts, or corrected quasi-probabilities with a
    calibration, or the provider's (debiased) probabilities."""
    results, raw = [], []
    sources: dict[tuple[int, int | None], list[int | None]] = {}
    for e, reading in zip(spec.plan.executables, readings, strict=True):
        outputs.check_measured(reading, spec.plan.circuits[e.circuit].qubits)
        key = (e.circuit, e.group)
        if key not in sources:
            sources[key] = outputs.counts_sources(spec, e.circuit, e.group)
        counts = outputs.project(reading.counts, sources[key])
        raw.append(counts)
        if calibration is not None:
            quasi = m.correct(reading.counts, reading.measured, calibration)
            results.append(outputs.project(quasi, sources[key]))
        elif probabilities:
            shares = reading.probabilities or {
                k: v / max(1, sum(reading.counts.values())) for k, v in reading.counts.items()
            }
            results.append(outputs.project(shares, sources[key]))
        else:
            results.append(counts)
    return results, raw


def calibration_in_task(extra: Sequence[Reading], shots: int) -> m.Calibration:
    zeros, ones = extra
    for reading in extra:
        if reading.failure is not None:
            raise ProviderError(f"a readout calibration circuit failed: {reading.failure}")
    return m.calibration_from_counts(zeros.counts, ones.counts, zeros.measured, shots)


def assemble(
    spec: JobSpec,
    readings: Sequence[Reading],
    decision: m.Decision,
    calibration: m.Calibration | None = None,
) -> Assembled:
    n = len(spec.plan.executables)
    if len(readings) < n:
        raise ProviderError(f"Amazon Braket returned {len(readings)} results for {n} executables")
    mine, extra = readings[:n], readings[n:]
    if spec.plan.output_kind != "counts":
        record = _record_not_applied(decision, "not needed: exact simulation")
        return Assembled(outputs.exact_outputs(spec, mine), None, record)
    if decision.mode == m.READOUT_IN_TASK:
        if len(extra) != 2:  # the device could not pin the circuits: nothing was calibrated
            results, _ = _counts(spec, mine)
            return Assembled(results, None, _record_not_applied(decision, NO_PINNING))
        calibration = calibration_in_task(extra, spec.shots)
    if decision.mode in (m.READOUT_IN_TASK, m.READOUT_CACHED):
        assert calibration is not None
        results, raw = _counts(spec, mine, calibration=calibration)
        return Assembled(results, raw, _readout_record(calibration))
    if decision.mode == m.DEBIAS:
        results, _ = _counts(spec, mine, probabilities=True)
        return Assembled(results, None, _debias_record())
    results, _ = _counts(spec, mine)
    return Assembled(results, None, _record_not_applied(decision))
