"""Readout calibrations for mthree: measured, cached per device on disk, reused.

A calibration is, per physical qubit, the 2×2 assignment matrix [[P(0|0), P(0|1)],
[P(1|0), P(1|1)]] (column = prepared state, row = read value), mthree's own layout.

- Fake backends: each qubit is prepared in 0 and 1 and read on the snapshot's own simulator
  (the one jobs sample from: calibrating on another model of the same device biases the
  correction). The noise of a snapshot never changes, so its calibration is kept until the
  runtime version changes. The calibration run has a fixed seed, so with a given cache a
  seeded job repeats exactly.
- Cloud QPUs: two circuits (all measured qubits in 0, all in 1) run as extra PUBs of the job
  itself, unless the cache holds a calibration of those qubits from the last hour.

Files live in <cache directory>/ibm/readout: the one in the backend's settings
(QDISPATCH_CACHE_DIR), else the user cache directory.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from qdispatch_ibm.sdk import require

FAKE_CALIBRATION_SHOTS = 10_000
FAKE_CALIBRATION_SEED = 20_240_001
CLOUD_MAX_AGE = timedelta(hours=1)
CALIBRATION_REGISTER = "readout_cal"

Matrix = list[list[float]]


@dataclass(frozen=True, slots=True)
class QubitCalibration:
    matrix: Matrix
    shots: int
    taken_at: str  # ISO 8601, UTC
    source: str


def cache_root() -> Path:
    """The user cache directory (the app hands a configured one to the backend instead)."""
    platformdirs = require("platformdirs")
    return Path(platformdirs.user_cache_dir("qdispatch"))


def _now() -> str:
    return datetime.now(UTC).isoformat()


def matrix_from_rates(p1_given_0: float, p0_given_1: float) -> Matrix:
    return [[1.0 - p1_given_0, p0_given_1], [p1_given_0, 1.0 - p0_given_1]]


class CalibrationStore:
    """One JSON file per cache key (device, plus the runtime version for snapshots)."""

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory
        self._lock = threading.Lock()

    @property
    def directory(self) -> Path:
        return self._directory or cache_root() / "ibm" / "readout"

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def load(self, key: str) -> dict[int, QubitCalibration]:
        try:
            data = json.loads(self.path(key).read_text(encoding="utf-8"))
            return {int(q): QubitCalibration(**entry) for q, entry in data["qubits"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            return {}  # absent or unreadable: calibrate again

    def merge(self, key: str, calibrations: Mapping[int, QubitCalibration]) -> None:
        with self._lock:
            merged = self.load(key) | dict(calibrations)
            document = {
                "key": key,
                "qubits": {str(q): asdict(c) for q, c in sorted(merged.items())},
            }
            path = self.path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(document, indent=1), encoding="utf-8")
            tmp.replace(path)


def fresh(
    calibrations: Mapping[int, QubitCalibration], qubits: Iterable[int], max_age: timedelta
) -> bool:
    """Whether every qubit has a calibration taken within `max_age`."""
    limit = datetime.now(UTC) - max_age
    for q in qubits:
        entry = calibrations.get(q)
        if entry is None or datetime.fromisoformat(entry.taken_at) < limit:
            return False
    return True


# -- fake backends: measured on the snapshot's own simulator -----------------------------------


def _preparations(width: int, qubit: int) -> list[Any]:
    qiskit = require("qiskit")
    circuits = []
    for excited in (False, True):
        circuit = qiskit.QuantumCircuit(width, 1)
        if excited:
            circuit.x(qubit)
        circuit.measure(qubit, 0)
        circuits.append(circuit)
    return circuits


def calibrate_on_simulator(
    backend: Any, qubits: Iterable[int], shots: int = FAKE_CALIBRATION_SHOTS
) -> dict[int, QubitCalibration]:
    """Assignment matrices of `qubits` from `backend.run` (a fake backend's noisy Aer), all in
    one simulator call: each call of a large snapshot's simulator costs seconds of setup."""
    ordered = sorted(set(qubits))
    circuits = [c for q in ordered for c in _preparations(backend.num_qubits, q)]
    result = backend.run(circuits, shots=shots, seed_simulator=FAKE_CALIBRATION_SEED).result()
    calibrations = {}
    for i, q in enumerate(ordered):
        zero, one = result.get_counts(2 * i), result.get_counts(2 * i + 1)
        calibrations[q] = QubitCalibration(
            matrix_from_rates(zero.get("1", 0) / shots, one.get("0", 0) / shots),
            shots,
            _now(),
            "snapshot noise model",
        )
    return calibrations


# -- cloud QPUs: two extra PUBs in the job ------------------------------------------------------


def calibration_pubs(width: int, qubits: Sequence[int]) -> list[tuple]:
    """Every qubit of `qubits` prepared in 0, then in 1, and read into one register."""
    qiskit = require("qiskit")
    pubs = []
    for excited in (False, True):
        register = qiskit.ClassicalRegister(len(qubits), CALIBRATION_REGISTER)
        circuit = qiskit.QuantumCircuit(qiskit.QuantumRegister(width, "q"), register)
        if excited:
            circuit.x(list(qubits))
        circuit.measure(list(qubits), register)
        pubs.append((circuit,))
    return pubs


def _flip_rate(counts: Mapping[str, int], bit: int, wrong: str) -> float:
    total = sum(counts.values())
    flipped = sum(n for key, n in counts.items() if key[len(key) - 1 - bit] == wrong)
    return flipped / total if total else 0.0


def calibrations_from_pubs(
    zero_counts: Mapping[str, int],
    one_counts: Mapping[str, int],
    qubits: Sequence[int],
    taken_at: str | None = None,
) -> dict[int, QubitCalibration]:
    shots = sum(zero_counts.values())
    when = taken_at or _now()
    return {
        q: QubitCalibration(
            matrix_from_rates(_flip_rate(zero_counts, i, "1"), _flip_rate(one_counts, i, "0")),
            shots,
            when,
            "calibration circuits on the QPU",
        )
        for i, q in enumerate(qubits)
    }
