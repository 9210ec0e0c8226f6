"""Checks a job must pass before it runs on an IonQ device (beyond the run contract's own)."""

from __future__ import annotations

from qdispatch_core.domain import Device
from qdispatch_core.errors import BadRequest
from qdispatch_core.ports.backend import JobSpec
from qdispatch_ionq import calibration
from qdispatch_ionq.devices import DEBIAS_MIN_SHOTS
from qdispatch_qiskit import readout


def check_mitigation(device: Device, spec: JobSpec) -> None:
    """IonQ's debiasing (mitigation on a QPU) needs enough shots: refused, never run without."""
    if spec.use_mitigation and not device.simulator and spec.shots < DEBIAS_MIN_SHOTS:
        raise BadRequest(
            f"use_mitigation: IonQ's debiasing needs at least {DEBIAS_MIN_SHOTS} shots per "
            f"circuit, and this job asks for {spec.shots}; raise shots or set use_mitigation "
            "to false",
            field="use_mitigation",
        )


def check_correctable(device: Device, sources: tuple[int | None, ...], where: str) -> None:
    """A readout-corrected circuit must measure few enough qubits for the dense correction."""
    measured = len(calibration.measured_qubits(sources))
    if measured > readout.MAX_QUBITS:
        raise BadRequest(
            f"use_mitigation: readout-error mitigation on {device.id} handles circuits that "
            f"measure up to {readout.MAX_QUBITS} qubits; {where} measures {measured}",
            field="use_mitigation",
        )
