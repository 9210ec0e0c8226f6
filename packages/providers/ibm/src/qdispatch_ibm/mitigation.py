"""Readout-error mitigation of counts with mthree (M3), and the record a job keeps of it.

Each executable's counts are corrected with the assignment matrices of the physical qubits
its bits were read from; the result is a quasi-probability distribution (it sums to 1 and may
hold small negative values). Executables whose bits cannot be traced to one final measurement
each (mid-circuit measurements) keep their raw counts, and the record says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qdispatch_ibm.calibration import QubitCalibration
from qdispatch_ibm.pubs import PubPlan
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
