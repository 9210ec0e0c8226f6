"""Readout-error mitigation on IBM devices: M3 correction of counts, and the calibration a job
uses (measured when needed) with the Execution that records what was done.

Readout-error mitigation of counts with mthree (M3), and the record a job keeps of it.

Each executable's counts are corrected with the assignment matrices of the physical qubits
its bits were read from; the result is a quasi-probability distribution (it sums to 1 and may
hold small negative values). Executables whose bits cannot be traced to one final measurement
each (mid-circuit measurements) keep their raw counts, and the record says so.

Readout mitigation of a job's counts: which calibration to use, measuring it when needed,
and the Execution that carries the corrected outputs and the record of what was done.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from qdispatch_core.domain import Cost, Device
from qdispatch_core.ports.backend import Execution, JobSpec
from qdispatch_ibm import batches, calibration
from qdispatch_ibm.batches import PubPlan
from qdispatch_ibm.calibration import QubitCalibration
from qdispatch_ibm.programs import final_measurements
from qdispatch_ibm.sdk import quiet_sdk, require

METHOD = "mthree readout-error mitigation (M3)"


def measured_qubits(plans: Sequence[PubPlan]) -> list[int]:
    """Physical qubits read by the PUBs that can be corrected, sorted."""
    return sorted({q for p in plans if p.measured for q in p.measured})


def _mitigator(calibrations: Mapping[int, QubitCalibration], width: int) -> Any:
    mthree = require("mthree")
    np = require("numpy")
    mitigator = mthree.M3Mitigation()
    matrices: list[Any] = [None] * width
    for q, c in calibrations.items():
        if q < width:
            matrices[q] = np.asarray(c.matrix, dtype=np.float32)
    mitigator.cals_from_matrices(matrices)
    return mitigator


def bit_rates(
    measured: Sequence[int], calibrations: Mapping[int, QubitCalibration]
) -> tuple[tuple[float, float], ...]:
    """Per output bit, (P(1|0), P(0|1)) of the physical qubit read into it: what the core
    needs to derive the corrected values' standard errors."""
    return tuple((calibrations[q].matrix[1][0], calibrations[q].matrix[0][1]) for q in measured)


def correct(
    outputs: Sequence[Mapping[str, int]],
    plans: Sequence[PubPlan],
    calibrations: Mapping[int, QubitCalibration],
    width: int,
) -> tuple[list[Any], dict[str, Any], list[Any]]:
    """(outputs with corrected executables as quasi-probabilities, the mitigation record,
    per executable the bit rates it was corrected with or None)."""
    mitigator = _mitigator(calibrations, width)
    corrected: list[Any] = list(outputs)
    readout: list[Any] = [None] * len(outputs)
    skipped: list[int] = []
    done = 0
    for plan in plans:
        if plan.measured is None:
            skipped.append(plan.circuit + 1)
            continue
        rates = bit_rates(plan.measured, calibrations)
        for i in range(plan.first, plan.first + plan.sets):
            with quiet_sdk():
                quasi = mitigator.apply_correction(dict(outputs[i]), list(plan.measured))
            corrected[i] = {k: float(v) for k, v in quasi.items()}
            readout[i] = rates
            done += 1
    return corrected, _record(plans, calibrations, done, skipped), readout


def _record(
    plans: Sequence[PubPlan],
    calibrations: Mapping[int, QubitCalibration],
    done: int,
    skipped: Sequence[int],
) -> dict[str, Any]:
    if not done:
        return {
            "applied": False,
            "reason": "readout correction needs every classical bit written by one final "
            "measurement; the circuits measure mid-circuit",
        }
    qubits = measured_qubits(plans)
    used = [calibrations[q] for q in qubits]
    record: dict[str, Any] = {
        "applied": True,
        "method": METHOD,
        "outputs": "quasi-probabilities (raw counts in raw_results)",
        "executables_corrected": done,
        "calibration": {
            "qubits": qubits,
            "source": sorted({c.source for c in used}),
            "shots": min(c.shots for c in used),
            "taken_at": min(c.taken_at for c in used),
        },
    }
    if skipped:
        record["not_corrected_circuits"] = sorted(set(skipped))
        record["note"] = "circuits with mid-circuit measurements keep their raw counts"
    return record


CACHE_GONE = {
    "applied": False,
    "reason": "the job ran without calibration circuits and the cached calibration of its "
    "qubits is gone (cache directory cleared?)",
}


class Readout:
    def __init__(self, store: calibration.CalibrationStore, runtime_version: str) -> None:
        self.store = store
        self.runtime_version = runtime_version

    # -- fake backends ----------------------------------------------------------------------

    def for_fake(self, device: Device, simulator: Any, qubits: Sequence[int]) -> dict[int, Any]:
        """Cached calibrations of the snapshot, measuring the qubits not yet calibrated."""
        key = f"{device.id}-runtime-{self.runtime_version}"
        cached = self.store.load(key)
        missing = [q for q in qubits if q not in cached]
        if missing:
            measured = calibration.calibrate_on_simulator(simulator, missing)
            self.store.merge(key, measured)
            cached |= measured
        return cached

    # -- cloud QPUs -------------------------------------------------------------------------

    def calibration_pubs(
        self, device: Device, spec: JobSpec, built: list[tuple], width: int
    ) -> list[tuple]:
        """The two calibration PUBs to append, or none when the cache is fresh enough."""
        plans = batches.plan_pubs(spec, [p[0] for p in built])
        qubits = measured_qubits(plans)
        cached = self.store.load(device.id)
        if not qubits or calibration.fresh(cached, qubits, calibration.CLOUD_MAX_AGE):
            return []
        return calibration.calibration_pubs(width, qubits)

    def from_job(
        self, device: Device, result: Any, circuits: Sequence[Any], planned: int, started: Any
    ) -> dict[int, Any]:
        """The calibration the job measured in its last two PUBs (cached for the next jobs),
        else the cached one it relied on."""
        if len(circuits) != planned + 2:
            return self.store.load(device.id)
        register = calibration.CALIBRATION_REGISTER
        qubits = final_measurements(circuits[planned], register) or []
        zero = getattr(result[planned].data, register).get_counts()
        one = getattr(result[planned + 1].data, register).get_counts()
        measured = calibration.calibrations_from_pubs(
            zero, one, qubits, str(started) if started else None
        )
        self.store.merge(device.id, measured)
        return measured


def corrected_execution(
    outputs: list[dict[str, int]],
    plans: Sequence[batches.PubPlan],
    calibrations: Callable[[], dict[int, Any]],
    device: Device,
    cost: Cost | None,
    notes: tuple[str, ...],
) -> Execution:
    found = calibrations()
    if any(q not in found for q in measured_qubits(plans)):
        return Execution(outputs, cost=cost, mitigation=dict(CACHE_GONE), notes=notes)
    corrected, record, rates = correct(outputs, plans, found, device.qubits)
    applied = record["applied"]
    return Execution(
        corrected,
        cost=cost,
        mitigation=record,
        raw_outputs=outputs if applied else None,
        readout=rates if applied else None,
        notes=notes,
    )
