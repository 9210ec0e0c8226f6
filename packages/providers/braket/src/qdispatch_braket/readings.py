"""Braket results, whatever their shape, as one flat list of readings in submission order.

A single-program task gives one reading; a program-set task gives one per executable, entry
by entry. Counts are keyed as Braket keys them: character i is bit b[i].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Reading:
    counts: dict[str, int] = field(default_factory=dict)
    probabilities: dict[str, float] = field(default_factory=dict)
    measured: tuple[int, ...] = ()  # the qubit behind each bit, as Braket reports it
    values: list[Any] = field(default_factory=list)  # result-type values (exact runs)
    duration_ms: float | None = None  # simulated time, where the simulator reports it
    failure: str | None = None
    program: str | None = None  # the program text as Braket recorded it, where it says


def _duration(result: Any) -> float | None:
    metadata = getattr(result, "additional_metadata", None)
    simulator = getattr(metadata, "simulatorMetadata", None)
    duration = getattr(simulator, "executionDuration", None)
    return float(duration) if duration is not None else None


def _source(program: Any) -> str | None:
    source = getattr(program, "source", None)
    return source if isinstance(source, str) else None


def _gate_model(result: Any) -> Reading:
    has_samples = result.measured_qubits is not None and result.measurement_counts is not None
    return Reading(
        counts=dict(result.measurement_counts) if has_samples else {},
        probabilities=dict(result.measurement_probabilities or {}) if has_samples else {},
        measured=tuple(result.measured_qubits or ()),
        values=list(result.values or []),
        duration_ms=_duration(result),
        program=_source(getattr(getattr(result, "additional_metadata", None), "action", None)),
    )


def _entry(entry: Any, program: str | None) -> Reading:
    metadata = getattr(entry, "failureMetadata", None)
    if metadata is not None:
        return Reading(failure=str(metadata.failureReason), program=program)
    return Reading(
        counts=dict(entry.counts),
        probabilities=dict(entry.probabilities or {}),
        measured=tuple(entry.measured_qubits),
        program=program,
    )


def readings(result: Any) -> list[Reading]:
    """Readings of one task's result (GateModelQuantumTaskResult or
    ProgramSetQuantumTaskResult)."""
    if hasattr(result, "entries") and hasattr(result, "num_executables"):
        return [
            _entry(entry, _source(getattr(composite, "program", None)))
            for composite in result.entries
            for entry in composite.entries
        ]
    return [_gate_model(result)]


def to_record(reading: Reading) -> dict[str, Any]:
    """A sampled reading as plain data (a shard's stored output); failures never get here."""
    return {
        "counts": {k: int(v) for k, v in reading.counts.items()},
        "probabilities": {k: float(v) for k, v in reading.probabilities.items()},
        "measured": [int(q) for q in reading.measured],
    }


def from_record(record: dict[str, Any]) -> Reading:
    return Reading(
        counts=dict(record["counts"]),
        probabilities=dict(record["probabilities"]),
        measured=tuple(record["measured"]),
    )
