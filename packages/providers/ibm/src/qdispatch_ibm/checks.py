"""Checks a job must pass on an IBM device, beyond the run contract's own."""

from __future__ import annotations

from collections.abc import Callable

from qdispatch_core.domain import Device, RunType
from qdispatch_core.errors import BadRequest
from qdispatch_core.ports.backend import JobSpec
from qdispatch_ibm.programs import Program, active_qubits
from qdispatch_qiskit.memory import DENSITY_MATRIX, STATEVECTOR, check_fits, max_qubits

ProgramFor = Callable[[int], Program]


def _check_active_qubits(
    state: str,
    device: Device,
    spec: JobSpec,
    program_for: ProgramFor,
    limit: int,
    *,
    doing: str,
    hint: str,
    field: str,
) -> None:
    """Aer simulates a transpiled circuit on its active qubits only: their dense `state` must
    fit in `limit` bytes."""
    for i in range(len(spec.circuits)):
        active = len(active_qubits(program_for(i).circuit))
        subject = f"circuit {i + 1} uses {active} qubits on {device.id}"
        check_fits(state, active, limit, subject=subject, doing=doing, hint=hint, field=field)


def check_noisy_sampling(
    device: Device, spec: JobSpec, program_for: ProgramFor, limit: int
) -> None:
    """Run on a fake backend: Aer simulates the noisy circuit on its active qubits as a state
    vector (the relaxation noise is not Clifford, so no stabilizer shortcut); it must fit."""
    if spec.run_type is not RunType.RUN:
        return
    _check_active_qubits(
        STATEVECTOR,
        device,
        spec,
        program_for,
        limit,
        doing="simulating it with the snapshot's noise",
        hint="use fewer qubits, or the cloud QPU",
        field="device_id",
    )


def check_noisy_exact(device: Device, spec: JobSpec, program_for: ProgramFor, limit: int) -> None:
    """StatevectorRun on a fake backend: exact noisy expectation values, nothing else.

    A noisy device has no state vector (its state is a mixture), but a density-matrix
    simulation with the snapshot's noise model gives the exact expectation values of that
    mixture, so the density matrix of the circuit's active qubits must fit."""
    if spec.run_type is not RunType.STATEVECTOR:
        return
    if not spec.plan.has_observables:
        raise BadRequest(
            f"run_type: {device.id} is noisy, so its state is a mixture, not a state vector; "
            "pass observables for their exact noisy expectation values, or use aer_simulator "
            "for state vectors",
            field="run_type",
        )
    import qdispatch_qiskit

    qdispatch_qiskit.check_final_measurements(
        [c.qasm for c in spec.circuits],
        "StatevectorRun needs a circuit whose state is determined (use run_type Run)",
        field="run_type",
    )
    _check_active_qubits(
        DENSITY_MATRIX,
        device,
        spec,
        program_for,
        limit,
        doing="simulating their exact noisy state",
        hint=f"at most {max_qubits(DENSITY_MATRIX, limit)} qubits fit; use run_type Run",
        field="run_type",
    )


def check_resilience_level(spec: JobSpec) -> None:
    """`resilience_level` picks the Estimator's mitigation under use_mitigation; anywhere else
    it would change nothing, and an option that silently does nothing is refused (§6)."""
    if "resilience_level" not in spec.options:
        return
    where = "options['resilience_level']"
    if not spec.use_mitigation:
        raise BadRequest(
            f"{where}: chooses IBM's error mitigation for observables when use_mitigation is "
            "true; set use_mitigation, or drop resilience_level (without use_mitigation the "
            "Estimator runs at resilience_level 0)",
            field=where,
        )
    if not spec.plan.estimated_by_provider:
        raise BadRequest(
            f"{where}: applies to observables, which IBM's Estimator computes; this job "
            "returns counts, which use_mitigation corrects with mthree readout mitigation; "
            "drop resilience_level",
            field=where,
        )
