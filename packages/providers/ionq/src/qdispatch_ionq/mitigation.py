"""What `use_mitigation` means on each IonQ device (run contract §7):
- QPUs: IonQ debiasing, IonQ's own mitigation;
- the simulator with a noise model: readout-error mitigation by qdispatch, from calibration
  circuits in the same IonQ job (see `calibration`), since IonQ offers nothing there;
- the ideal simulator: nothing, recorded as not needed.

Debiasing runs symmetrised variants of a circuit and aggregates their results (docs.ionq.com,
"Using debiasing with Qiskit"). IonQ turns it on by default for QPU jobs of 500 shots or more,
cannot apply it below 500 shots, and offers it on no simulator. So with `use_mitigation` off we
send it explicitly off (the run must be what the user asked for, and debiasing raises IonQ's
minimum price); with it on, a QPU job of fewer than 500 shots is refused rather than silently
run unmitigated.
"""

from __future__ import annotations

from typing import Any

from qdispatch_core.domain import Device
from qdispatch_core.ports.backend import JobSpec
from qdispatch_ionq import calibration
from qdispatch_ionq.devices import DEBIAS_MIN_SHOTS
from qdispatch_ionq.outputs import CORRECTED, FREQUENCIES, QUASI, SAMPLE
from qdispatch_ionq.settings import RunSettings
from qdispatch_qiskit import readout

AGGREGATION = "average"  # IonQ's `sharpen=false`; sharpening (plurality vote) suits only
# circuits whose answer is one bit string


def debiased(device: Device, spec: JobSpec) -> bool:
    return spec.use_mitigation and not device.simulator


def calibrations(device: Device, spec: JobSpec, settings: RunSettings) -> tuple[bool, ...]:
    """The readout calibration circuits the job adds: on a noisy simulation with mitigation."""
    if spec.use_mitigation and device.simulator and settings.noisy_simulation:
        return calibration.CALIBRATION_CIRCUITS
    return ()


def error_mitigation_setting(device: Device, spec: JobSpec) -> dict[str, bool] | None:
    """The create-job `settings.error_mitigation`: always explicit on a QPU, absent on the
    simulator (which has none to turn off)."""
    if device.simulator:
        return None
    return {"debiasing": debiased(device, spec)}


def sharpen(device: Device, spec: JobSpec) -> bool | None:
    return False if debiased(device, spec) else None


def output_mode(device: Device, spec: JobSpec, settings: RunSettings) -> str:
    if debiased(device, spec):
        return QUASI
    if calibrations(device, spec, settings):
        return CORRECTED
    if device.simulator and not settings.noisy_simulation:
        return SAMPLE
    return FREQUENCIES


def record(
    device: Device,
    spec: JobSpec,
    settings: RunSettings,
    measured: readout.Calibration | None = None,
) -> dict[str, Any] | None:
    """What the job's `mitigation` field says; None when nothing was asked. `measured` is the
    readout calibration of a noisy simulation."""
    if not spec.use_mitigation:
        return None
    if device.simulator and not settings.noisy_simulation:
        return {"applied": False, "reason": "not needed: noiseless simulator"}
    if device.simulator:
        if measured is None:
            raise ValueError("a mitigated noisy simulation has a readout calibration")
        return calibration.record(measured, settings)
    return {
        "applied": True,
        "method": "IonQ debiasing",
        "setting": {"error_mitigation": {"debiasing": True}},
        "aggregation": AGGREGATION,
        "raw_counts": "not available: IonQ returns only the aggregated distribution",
    }


def notes(device: Device, spec: JobSpec) -> tuple[str, ...]:
    if device.simulator or spec.use_mitigation:
        return ()
    return (
        "IonQ debiasing explicitly off (use_mitigation=false); IonQ would otherwise apply it "
        f"to QPU jobs of {DEBIAS_MIN_SHOTS} shots or more",
    )
