"""Braket results into the contract's outputs: readings in submission order, per-executable
outputs, then the Execution (raw counts and mitigation record included).

Braket results, whatever their shape, as one flat list of readings in submission order.

A single-program task gives one reading; a program-set task gives one per executable, entry
by entry. Counts are keyed as Braket keys them: character i is bit b[i].

Readings back into the core's per-executable outputs (rules/plan.py output kinds).

- Counts: Braket's bit b[i] is source qubit i (see programs.sampled), so a circuit's classical
  bits are read from the qubits its final measurements targeted, and a measurement group's
  n-bit string is the qubits themselves; both come out in Qiskit order (bit 0 rightmost).
- State vectors: Braket orders amplitudes with qubit 0 as the most significant bit; Qiskit
  with qubit 0 as the least. Amplitude results are keyed by Braket bitstrings.
- Expectation values: one value per distinct Pauli term, combined per observable.

From a job's readings to the outputs, raw counts and mitigation record of an Execution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qdispatch_braket import mitigation as m
from qdispatch_braket import programs
from qdispatch_braket.sdk import require
from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend import JobSpec
from qdispatch_core.rules.expectation import identity_offset


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


Sources = Sequence[int | None]  # output bit j (0 = rightmost) <- Braket bit index, or None: 0


def final_measurement_sources(qasm: str) -> list[int | None]:
    """For each classical bit of the circuit, the qubit its final measurement reads (None for
    a bit never measured, which reads 0)."""
    import qdispatch_qiskit as qk

    circuit = qk.parse_qasm(qasm)
    sources: list[int | None] = [None] * circuit.num_clbits
    for instruction in circuit.data:  # in order: a later measurement overwrites the bit
        if instruction.operation.name == "measure":
            clbit = circuit.find_bit(instruction.clbits[0]).index
            sources[clbit] = circuit.find_bit(instruction.qubits[0]).index
    return sources


def project(counts: Mapping[str, float], sources: Sources) -> dict[str, Any]:
    """Braket-keyed counts (character i = b[i]) as Qiskit-order keys over `sources`."""
    out: dict[str, Any] = {}
    for key, value in counts.items():
        bits = "".join("0" if s is None else key[s] for s in reversed(sources))
        out[bits] = out.get(bits, 0) + value
    return out


def counts_sources(spec: JobSpec, circuit: int, group: int | None) -> list[int | None]:
    if group is not None:
        return list(range(spec.plan.circuits[circuit].qubits))
    return final_measurement_sources(spec.circuits[circuit].qasm)


def statevector(reading: Reading, qubits: int) -> list[list[float]]:
    np = require("numpy")
    value = reading.values[0] if reading.values else None
    if isinstance(value, Mapping):  # amplitudes by Braket bitstring
        amplitudes = np.zeros(2**qubits, dtype=complex)
        for key, amplitude in value.items():
            amplitudes[int(key[::-1], 2)] = (
                complex(*amplitude) if isinstance(amplitude, list | tuple) else complex(amplitude)
            )
    elif value is not None:
        braket_order = np.asarray(value, dtype=complex)
        # Reversing the qubit axes turns Braket's index order into Qiskit's.
        amplitudes = braket_order.reshape([2] * qubits).transpose().reshape(-1)
    else:
        raise ProviderError("Braket returned no state vector for an exact run")
    return [amplitudes.real.tolist(), amplitudes.imag.tolist()]


def expectations(reading: Reading, observables: Sequence[Sequence[Any]]) -> list[float]:
    terms = programs.distinct_terms(observables)
    if len(reading.values) != len(terms):
        raise ProviderError(
            f"Braket returned {len(reading.values)} expectation values for {len(terms)} terms"
        )
    value_of = dict(zip(terms, (float(v) for v in reading.values), strict=True))
    out = []
    for paulis, coefficients in observables:
        total = identity_offset([paulis, coefficients])
        for pauli, c in zip(paulis, coefficients, strict=True):
            if pauli in value_of:
                total += c * value_of[pauli]
        out.append(float(total))
    return out


def check_measured(reading: Reading, expected_bits: int) -> None:
    if reading.failure is not None:
        raise ProviderError(f"Amazon Braket could not run an executable: {reading.failure}")
    if len(reading.measured) != expected_bits:
        raise ProviderError(
            f"Braket measured {len(reading.measured)} qubits where {expected_bits} were asked"
        )


def exact_outputs(
    spec: JobSpec, readings: Sequence[Reading], first: int = 0, count: int | None = None
) -> list[Any]:
    """Outputs of executables `first` .. `first + count - 1` (default: all) from their
    readings."""
    stop = len(spec.plan.executables) if count is None else first + count
    outputs: list[Any] = []
    for e, reading in zip(spec.plan.executables[first:stop], readings, strict=True):
        if reading.failure is not None:
            raise ProviderError(f"Amazon Braket could not run an executable: {reading.failure}")
        plan = spec.plan.circuits[e.circuit]
        if spec.plan.output_kind == "statevector":
            outputs.append(statevector(reading, plan.qubits))
        else:
            outputs.append(expectations(reading, plan.observables or ()))
    return outputs


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
        check_measured(reading, spec.plan.circuits[e.circuit].qubits)
        key = (e.circuit, e.group)
        if key not in sources:
            sources[key] = counts_sources(spec, e.circuit, e.group)
        counts = project(reading.counts, sources[key])
        raw.append(counts)
        if calibration is not None:
            quasi = m.correct(reading.counts, reading.measured, calibration)
            results.append(project(quasi, sources[key]))
            rates.append(_bit_rates(sources[key], calibration))
        elif probabilities:
            shares = reading.probabilities or {
                k: v / max(1, sum(reading.counts.values())) for k, v in reading.counts.items()
            }
            results.append(project(shares, sources[key]))
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
        return Assembled(exact_outputs(spec, mine), None, record)
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
