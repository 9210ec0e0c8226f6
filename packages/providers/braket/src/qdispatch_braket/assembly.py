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
    # Per executable, the rates each output bit was corrected with (see Execution.readout).
    readout: list[Any] | None = None


def _bit_rates(sources: list[int | None], calibration: m.Calibration) -> Any:
    """Per output bit, the rates of the qubit read into it; None when a qubit's are unknown."""
    if any(q is not None and q not in calibration.rates for q in sources):
        return None
    return tuple(calibration.rates[q] if q is not None else None for q in sources)


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
) -> tuple[list[Any], list[Any], list[Any]]:
    """(outputs, raw counts, bit rates of the correction) per executable: counts, or corrected
    quasi-probabilities with a calibration, or the provider's (debiased) probabilities."""
    results, raw, rates = [], [], []
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
            rates.append(_bit_rates(sources[key], calibration))
        elif probabilities:
            shares = reading.probabilities or {
                k: v / max(1, sum(reading.counts.values())) for k, v in reading.counts.items()
            }
            results.append(outputs.project(shares, sources[key]))
        else:
            results.append(counts)
    return results, raw, rates


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
            results, _, _ = _counts(spec, mine)
            return Assembled(results, None, _record_not_applied(decision, NO_PINNING))
        calibration = calibration_in_task(extra, spec.shots)
    if decision.mode in (m.READOUT_IN_TASK, m.READOUT_CACHED):
        assert calibration is not None
        results, raw, rates = _counts(spec, mine, calibration=calibration)
        return Assembled(results, raw, _readout_record(calibration), rates)
    if decision.mode == m.DEBIAS:
        results, _, _ = _counts(spec, mine, probabilities=True)
        return Assembled(results, None, _debias_record())
    results, _, _ = _counts(spec, mine)
    return Assembled(results, None, _record_not_applied(decision))
