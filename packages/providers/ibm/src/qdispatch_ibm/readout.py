"""Readout mitigation of a job's counts: which calibration to use, measuring it when needed,
and the Execution that carries the corrected outputs and the record of what was done."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from qdispatch_core.domain import Cost, Device
from qdispatch_core.ports.backend import Execution, JobSpec
from qdispatch_ibm import calibration, mitigation, pubs
from qdispatch_ibm.programs import final_measurements

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
        plans = pubs.plan_pubs(spec, [p[0] for p in built])
        qubits = mitigation.measured_qubits(plans)
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
    plans: Sequence[pubs.PubPlan],
    calibrations: Callable[[], dict[int, Any]],
    device: Device,
    cost: Cost | None,
    notes: tuple[str, ...],
) -> Execution:
    found = calibrations()
    if any(q not in found for q in mitigation.measured_qubits(plans)):
        return Execution(outputs, cost=cost, mitigation=dict(CACHE_GONE), notes=notes)
    corrected, record, rates = mitigation.correct(outputs, plans, found, device.qubits)
    applied = record["applied"]
    return Execution(
        corrected,
        cost=cost,
        mitigation=record,
        raw_outputs=outputs if applied else None,
        readout=rates if applied else None,
        notes=notes,
    )
