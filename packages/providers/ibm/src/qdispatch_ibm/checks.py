"""Checks a job must pass on an IBM device, beyond the run contract's own."""

from __future__ import annotations

from collections.abc import Callable

from qdispatch_core.domain import Device, RunType
from qdispatch_core.errors import BadRequest
from qdispatch_core.ports.backend import JobSpec
from qdispatch_core.rules.circuits import statevector_bytes
from qdispatch_ibm.exact import (
    HEADROOM,
    MEMORY_ENV,
    density_matrix_bytes,
    max_density_matrix_qubits,
)
from qdispatch_ibm.programs import Program, active_qubits
from qdispatch_ibm.sdk import require

ProgramFor = Callable[[int], Program]


def _gib(n: float) -> str:
    return f"{n / 1024**3:,.1f} GiB" if n >= 1024**3 else f"{n / 1024**2:,.1f} MiB"


def check_noisy_sampling(
    device: Device, spec: JobSpec, program_for: ProgramFor, limit: int
) -> None:
    """Run on a fake backend: Aer simulates the noisy circuit on its active qubits as a state
    vector (the relaxation noise is not Clifford, so no stabilizer shortcut); it must fit."""
    if spec.run_type is not RunType.RUN:
        return
    for i in range(len(spec.circuits)):
        active = len(active_qubits(program_for(i).circuit))
        if statevector_bytes(active) * HEADROOM > limit:
            raise BadRequest(
                f"circuit {i + 1} uses {active} qubits on {device.id}: simulating it with the "
                f"snapshot's noise needs a state vector of 16·2^{active} bytes plus working "
                f"memory, more than the {_gib(limit)} a simulation may use here ({MEMORY_ENV}); "
                "use fewer qubits, or the cloud QPU",
                field="device_id",
            )


def check_noisy_exact(device: Device, spec: JobSpec, program_for: ProgramFor, limit: int) -> None:
    """StatevectorRun on a fake backend: exact noisy expectation values, nothing else."""
    if spec.run_type is not RunType.STATEVECTOR:
        return
    if not spec.plan.has_observables:
        raise BadRequest(
            f"run_type: {device.id} is noisy, so its state is a mixture, not a state vector; "
            "pass observables for their exact noisy expectation values, or use aer_simulator "
            "for state vectors",
            field="run_type",
        )
    qk = require("qdispatch_qiskit")
    for i, circuit in enumerate(spec.circuits):
        found = qk.non_unitary_operations(qk.drop_final_measurements(qk.parse_qasm(circuit.qasm)))
        if found:
            raise BadRequest(
                f"circuit {i + 1} has {', '.join(found)} before its final measurements; "
                "StatevectorRun needs a circuit whose state is determined (use run_type Run)",
                field="run_type",
            )
        active = len(active_qubits(program_for(i).circuit))
        if density_matrix_bytes(active) * HEADROOM > limit:
            raise BadRequest(
                f"circuit {i + 1} uses {active} qubits on {device.id}: their exact noisy state "
                f"is a density matrix of 16·4^{active} bytes plus working memory, more than the "
                f"{_gib(limit)} a simulation may use here ({MEMORY_ENV}; at most "
                f"{max_density_matrix_qubits(limit)} qubits); use run_type Run",
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
