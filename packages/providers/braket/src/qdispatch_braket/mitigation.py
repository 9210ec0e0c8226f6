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
inverted and applied to the measured distribution, giving quasi-probabilities. The math is the
shared toolkit's (`qdispatch_qiskit.readout`); Braket's keys put qubit `measured[i]` at
character i from the left, which is the toolkit's `positions`.
"""

from __future__ import annotations

from dataclasses import dataclass

from qdispatch_qiskit import readout
from qdispatch_qiskit.readout import Calibration as Calibration
from qdispatch_qiskit.readout import CalibrationCache as CalibrationCache
from qdispatch_qiskit.readout import calibration_from_counts as calibration_from_counts
from qdispatch_qiskit.readout import correct as correct

NOT_REQUESTED = "not_requested"
NOT_NEEDED = "not_needed"
DEBIAS = "debias"
READOUT_IN_TASK = "readout_in_task"
READOUT_CACHED = "readout_cached"
UNAVAILABLE = "unavailable"

# Dense correction of 2^n outcomes; beyond this many measured qubits it is not attempted.
MAX_MITIGATED_QUBITS = readout.MAX_QUBITS
IONQ_DEBIAS_MIN_SHOTS = 2500
DEBIAS_TYPE = "braket.device_schema.error_mitigation.debias.Debias"


@dataclass(frozen=True, slots=True)
class Decision:
    mode: str
    reason: str = ""

    @property
    def calibrates_in_task(self) -> bool:
        return self.mode == READOUT_IN_TASK


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
