"""Tensored readout-error mitigation: calibration circuits, per-qubit assignment matrices, and
the correction of measured distributions into quasi-probabilities.

The model: each qubit is misread independently, qubit q reading 1 when it was 0 with
probability e0 = P(1|0), and 0 when it was 1 with probability e1 = P(0|1). Two calibration
circuits (every qubit prepared in 0, every qubit prepared in 1) measure e0 and e1 for all qubits
at once. The measured distribution is the true one with each qubit's 2x2 assignment matrix
[[1-e0, e1], [e0, 1-e1]] (column = prepared, row = read) applied, so applying the inverses
undoes the readout error. The result is a quasi-probability distribution: it sums to 1 but
statistical noise can leave small negative entries; `nearest_probabilities` projects it onto
the closest true distribution when one is needed.

Bit order: functions that read bit strings take `positions`, the qubit whose bit is each
character of the keys, from the left. For Qiskit-order keys (the rightmost character is bit 0)
measuring qubits[i] into bit i, that is `qubits[::-1]`.

Nothing here imports numpy or Qiskit until it is called.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

# The correction is dense over 2^n outcomes: beyond this many measured qubits it costs more
# memory and time than a job should spend on it.
MAX_QUBITS = 16
# Corrected entries smaller than this are rounding noise of the matrix products, not outcomes.
NEGLIGIBLE = 1e-12


@dataclass(frozen=True, slots=True)
class Calibration:
    """Per qubit: (P(read 1 | prepared 0), P(read 0 | prepared 1))."""

    rates: dict[int, tuple[float, float]]
    shots: int
    taken_at: str  # ISO 8601, UTC
    cached: bool = False

    def assignment_matrix(self, qubit: int) -> list[list[float]]:
        e0, e1 = self.rates[qubit]
        return [[1.0 - e0, e1], [e0, 1.0 - e1]]

    def summary(self) -> dict[str, Any]:
        """What a job's `mitigation` record says about the calibration."""
        return {
            "qubits": sorted(self.rates),
            "shots": self.shots,
            "taken_at": self.taken_at,
            "cached": self.cached,
            "readout_error_rates": {
                str(q): {"p1_given_0": round(e0, 6), "p0_given_1": round(e1, 6)}
                for q, (e0, e1) in sorted(self.rates.items())
            },
        }


def calibration_circuits(num_qubits: int, qubits: Sequence[int] | None = None) -> tuple[Any, Any]:
    """(all prepared in 0, all prepared in 1): Qiskit circuits of `num_qubits` qubits measuring
    `qubits` (default: every qubit), qubits[i] into classical bit i."""
    from qiskit import QuantumCircuit

    measured = list(range(num_qubits) if qubits is None else qubits)
    circuits = []
    for excited in (False, True):
        circuit = QuantumCircuit(num_qubits, len(measured))
        if excited and measured:
            circuit.x(measured)
        circuit.measure(measured, range(len(measured)))
        circuits.append(circuit)
    return circuits[0], circuits[1]


def calibration_from_counts(
    zeros: Mapping[str, float],
    ones: Mapping[str, float],
    positions: Sequence[int],
    shots: int,
    taken_at: str | None = None,
) -> Calibration:
    """Rates from the all-0 and all-1 circuits' counts (or frequencies): character i of each
    key is qubit positions[i]'s bit."""
    zeros_total = max(1e-300, float(sum(zeros.values())))
    ones_total = max(1e-300, float(sum(ones.values())))
    rates = {}
    for i, qubit in enumerate(positions):
        read_one = sum(n for key, n in zeros.items() if key[i] == "1")
        read_zero = sum(n for key, n in ones.items() if key[i] == "0")
        rates[qubit] = (read_one / zeros_total, read_zero / ones_total)
    when = taken_at or datetime.now(UTC).isoformat(timespec="seconds")
    return Calibration(rates, shots, when)


def _inverse(e0: float, e1: float) -> Any:
    import numpy as np

    assignment = np.array([[1 - e0, e1], [e0, 1 - e1]])
    if abs(np.linalg.det(assignment)) < 1e-9:
        raise ValueError("a qubit's readout is random (P(1|0) + P(0|1) = 1): cannot correct")
    return np.linalg.inv(assignment)


def _apply_per_qubit(
    distribution: Mapping[str, float], positions: Sequence[int], matrices: Mapping[int, Any]
) -> dict[str, float]:
    import numpy as np

    n = len(positions)
    if n > MAX_QUBITS:
        raise ValueError(f"readout correction handles up to {MAX_QUBITS} qubits, not {n}")
    total = float(sum(distribution.values()))
    if total == 0:
        raise ValueError("cannot correct an empty distribution")
    vector = np.zeros(2**n)
    for key, value in distribution.items():
        if len(key) != n:
            raise ValueError(f"outcome {key!r} does not have {n} bits")
        vector[int(key, 2)] += value / total
    tensor = vector.reshape([2] * n)  # axis i is character i of the keys
    for axis, qubit in enumerate(positions):
        tensor = np.moveaxis(np.tensordot(matrices[qubit], tensor, axes=([1], [axis])), 0, axis)
    flat = tensor.reshape(-1)
    return {format(i, f"0{n}b"): float(v) for i, v in enumerate(flat) if abs(v) > NEGLIGIBLE}


def correct(
    counts: Mapping[str, float], positions: Sequence[int], calibration: Calibration
) -> dict[str, float]:
    """Quasi-probabilities: the normalised `counts` (character i of each key is qubit
    positions[i]) with each qubit's assignment matrix inverted; negligible entries dropped."""
    inverses = {q: _inverse(*calibration.rates[q]) for q in set(positions)}
    return _apply_per_qubit(counts, positions, inverses)


def misread(
    distribution: Mapping[str, float], positions: Sequence[int], calibration: Calibration
) -> dict[str, float]:
    """The forward model: what a readout with these rates makes of `distribution` (for tests
    and for checking a calibration against known physics)."""
    import numpy as np

    matrices = {q: np.array(calibration.assignment_matrix(q)) for q in set(positions)}
    return _apply_per_qubit(distribution, positions, matrices)


def nearest_probabilities(quasi: Mapping[str, float]) -> dict[str, float]:
    """The probability distribution closest (in the 2-norm) to a quasi-probability one summing
    to 1: negative mass is spread evenly over the remaining outcomes, smallest first (Smolin,
    Gambetta and Smith, PRL 108, 070502 (2012))."""
    ordered = sorted(quasi.items(), key=lambda item: item[1])
    remaining, deficit = len(ordered), 0.0
    result: dict[str, float] = {}
    for key, value in ordered:
        shifted = value + deficit / remaining
        if shifted < 0:  # this outcome goes to 0; its (negative) mass is shared by the rest
            deficit += value
            remaining -= 1
        else:
            result[key] = shifted
    return result


class CalibrationCache:
    """Calibrations by key (device, qubits, noise, ...), optionally for `max_age_s` seconds:
    simulated noise does not drift, a device's does. Hits come back marked `cached`."""

    def __init__(self, max_age_s: float | None = None) -> None:
        self.max_age_s = max_age_s
        self._items: dict[Hashable, tuple[float, Calibration]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Calibration | None:
        with self._lock:
            found = self._items.get(key)
        if found is None:
            return None
        stored_at, calibration = found
        if self.max_age_s is not None and time.monotonic() - stored_at > self.max_age_s:
            return None
        return replace(calibration, cached=True)

    def put(self, key: Hashable, calibration: Calibration) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), calibration)

    def __len__(self) -> int:
        return len(self._items)
