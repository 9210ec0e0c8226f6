"""Checks a job must pass before it runs on a Braket device (beyond the run contract's own)."""

from __future__ import annotations

from qdispatch_braket import mitigation as m
from qdispatch_core.domain import Device, RunType
from qdispatch_core.errors import BadRequest
from qdispatch_core.ports.backend import JobSpec

# SV1 has no state-vector result type; the state comes as every amplitude, asked by name.
AMPLITUDE_STATEVECTOR_MAX_QUBITS = 10


def check_final_measurements(spec: JobSpec) -> None:
    """Results are read from measurements of every qubit at the end, so earlier measurements
    or resets (whose outcomes would be lost) are refused."""
    import qdispatch_qiskit

    qdispatch_qiskit.check_final_measurements(
        [c.qasm for c in spec.circuits],
        "Braket devices here run circuits whose measurements all come at the end",
        field="circuits",
    )


def check_statevector_width(device: Device, spec: JobSpec, statevector: str | None) -> None:
    if spec.run_type is not RunType.STATEVECTOR or spec.plan.output_kind != "statevector":
        return
    if statevector != "amplitude":
        return
    for i, circuit in enumerate(spec.plan.circuits):
        if circuit.qubits > AMPLITUDE_STATEVECTOR_MAX_QUBITS:
            raise BadRequest(
                f"circuit {i + 1} has {circuit.qubits} qubits: {device.id} returns state vectors "
                f"as amplitudes named one by one, up to {AMPLITUDE_STATEVECTOR_MAX_QUBITS} "
                "qubits; pass observables for exact expectation values instead",
                field="run_type",
            )


def check_mitigation(device: Device, spec: JobSpec, decision: m.Decision) -> None:
    if decision.mode == m.DEBIAS and spec.shots < m.IONQ_DEBIAS_MIN_SHOTS:
        raise BadRequest(
            f"shots: IonQ debiasing (use_mitigation on {device.id}) needs at least "
            f"{m.IONQ_DEBIAS_MIN_SHOTS} shots per task, got {spec.shots}",
            field="shots",
        )
    if decision.mode in (m.READOUT_IN_TASK, m.READOUT_CACHED):
        widest = max(c.qubits for c in spec.plan.circuits)
        if widest > m.MAX_MITIGATED_QUBITS:
            raise BadRequest(
                f"use_mitigation: readout-error mitigation on {device.id} handles circuits of up "
                f"to {m.MAX_MITIGATED_QUBITS} qubits; a circuit has {widest}",
                field="use_mitigation",
            )


def check(device: Device, spec: JobSpec, decision: m.Decision, statevector: str | None) -> None:
    check_final_measurements(spec)
    check_statevector_width(device, spec, statevector)
    check_mitigation(device, spec, decision)
