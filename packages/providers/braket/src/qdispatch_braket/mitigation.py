"""Error mitigation on Braket devices (run contract §7): what applies where, and readout-error
correction from calibration circuits.

- Noiseless simulators (local state vector, SV1, DM1 without noise): nothing to do.
- IonQ QPUs: IonQ's own debiasing (Braket's `Debias` error mitigation), done by the provider.
- Other QPUs: readout-error mitigation. The job's circuits are pinned to device qubits and two
  calibration circuits (all |0>, all |1>) on exactly those qubits ride in the same task, so the
  calibration is as fresh as the data and survives a worker restart.
- The local density-matrix simulator with noise options: the same correction, calibrated on
  the simulator once per (qubits, noise) and cached: simulated noise does not drift.

The correction is tensored: each qubit's 2x2 confusion matrix (P(read 1|0), P(read 0|1)) is
inverted and applied to the measured distribution, giving quasi-probabilities.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from qdispatch_braket.sdk import require

NOT_REQUESTED = "not_requested"
NOT_NEEDED = "not_needed"
DEBIAS = "debias"
READOUT_IN_TASK = "readout_in_task"
READOUT_CACHED = "readout_cached"
UNAVAILABLE = "unavailable"

# Dense correction of 2^n outcomes; beyond this many measured qubits it is not attempted.
MAX_MITIGATED_QUBITS = 16
IONQ_DEBIAS_MIN_SHOTS = 2500
DEBIAS_TYPE = "braket.device_schema.error_mitigation.debias.Debias"


@dataclass(frozen=True, slots=True)
class Decision:
    mode: str
    reason: str = ""

    @property
    def calibrates_in_task(self) -> bool:
        return self.mode == READOUT_IN_TASK


@dataclass(frozen=True, slots=True)
class Calibration:
    """Per device qubit: (P(read 1 | prepared 0), P(read 0 | prepared 1))."""

    rates: dict[int, tuple[float, float]]
    shots: int
    taken_at: str
    cached: bool = False

    def summary(self) -> dict[str, Any]:
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


def calibration_from_counts(
    zeros: Mapping[str, int], ones: Mapping[str, int], measured: Sequence[int], shots: int
) -> Calibration:
    """Rates from the all-|0> and all-|1> circuits' counts (keys: bit i = `measured[i]`)."""
    rates = {}
    for i, qubit in enumerate(measured):
        flipped_up = sum(n for key, n in zeros.items() if key[i] == "1")
        flipped_down = sum(n for key, n in ones.items() if key[i] == "0")
        rates[qubit] = (
            flipped_up / max(1, sum(zeros.values())),
            flipped_down / max(1, sum(ones.values())),
        )
    return Calibration(rates, shots, datetime.now(UTC).isoformat(timespec="seconds"))


def _inverse(e0: float, e1: float) -> Any:
    np = require("numpy")
    confusion = np.array([[1 - e0, e1], [e0, 1 - e1]])  # columns: prepared 0, prepared 1
    if abs(np.linalg.det(confusion)) < 1e-9:
        raise ValueError("a qubit's readout is random (P(1|0) + P(0|1) = 1): cannot correct")
    return np.linalg.inv(confusion)


def correct(
    counts: Mapping[str, float], measured: Sequence[int], calibration: Calibration
) -> dict[str, float]:
    """Quasi-probabilities for bitstrings (bit i leftmost = `measured[i]`) after inverting each
    qubit's confusion matrix; tiny entries (below 1e-12) are dropped."""
    np = require("numpy")
    n = len(measured)
    total = float(sum(counts.values()))
    vector = np.zeros(2**n)
    for key, value in counts.items():
        vector[int(key, 2)] += value / total
    tensor = vector.reshape([2] * n)  # axis i is bit i (leftmost = most significant)
    for axis, qubit in enumerate(measured):
        inverse = _inverse(*calibration.rates[qubit])
        tensor = np.moveaxis(np.tensordot(inverse, tensor, axes=([1], [axis])), 0, axis)
    flat = tensor.reshape(-1)
    return {format(i, f"0{n}b"): float(v) for i, v in enumerate(flat) if abs(v) > 1e-12}


class CalibrationCache:
    """Calibrations of the local noisy simulator, by (device, qubits, noise): simulated noise
    does not drift, so they are reused for the life of the backend."""

    def __init__(self) -> None:
        self._items: dict[Any, Calibration] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> Calibration | None:
        with self._lock:
            found = self._items.get(key)
        if found is None:
            return None
        return Calibration(found.rates, found.shots, found.taken_at, cached=True)

    def put(self, key: Any, calibration: Calibration) -> None:
        with self._lock:
            self._items[key] = calibration

    def __len__(self) -> int:
        return len(self._items)


def decide(
    *, use_mitigation: bool, local: bool, simulator: bool, vendor: str, noisy: bool
) -> Decision:
    """What `use_mitigation` means for this device and job."""
    if not use_mitigation:
        return Decision(NOT_REQUESTED)
    if local:
        if noisy:
            return Decision(READOUT_CACHED)
        return Decision(NOT_NEEDED, "not needed: noiseless simulator")
    if simulator:
        return Decision(NOT_NEEDED, "not needed: noiseless simulator")
    if vendor == "ionq":
        return Decision(DEBIAS)
    return Decision(READOUT_IN_TASK)
