"""Checks a job must pass before it runs on Aer (beyond the run contract's own)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qdispatch_aer.memory import HEADROOM, MEMORY_ENV, human_bytes, memory_needed
from qdispatch_aer.sdk import require
from qdispatch_aer.settings import RunSettings
from qdispatch_core.domain import Device, RunType
from qdispatch_core.errors import BadRequest
from qdispatch_core.ports.backend import JobSpec

OUTPUT_WORDS = {
    "counts": "sample counts",
    "statevector": "return a state vector",
    "expectations": "compute exact expectation values",
}


def check_method(device: Device, settings: RunSettings, output_kind: str, methods: Mapping) -> None:
    """The chosen method can produce what the plan needs (the facts say what each can do)."""
    if output_kind in methods.get(settings.method, ()):
        return
    able = [m for m, kinds in methods.items() if output_kind in kinds]
    raise BadRequest(
        f"options['method']: {settings.method!r} cannot {OUTPUT_WORDS[output_kind]} on "
        f"{device.id}; use one of {', '.join(map(repr, able))}",
        field="options['method']",
    )


def _formula(method: str, output_kind: str, qubits: int) -> str:
    if output_kind != "statevector" and method == "density_matrix":
        return f"a density matrix of 16·4^{qubits} bytes"
    return f"a state vector of 16·2^{qubits} bytes"


def check_memory(device: Device, spec: JobSpec, settings: RunSettings, limit: int) -> None:
    """A dense simulation must fit, with working memory, in what this worker may use."""
    kind = spec.plan.output_kind
    for i, circuit in enumerate(spec.circuits):
        qubits = circuit.analytics.qubits
        need = memory_needed(settings.method, kind, qubits)
        if need is None or need * HEADROOM <= limit:
            continue
        explicit = settings.method != "automatic" and kind != "statevector"
        field = "options['method']" if explicit else "run_type"
        hint = "use fewer qubits" + (
            ", pass observables, or use aer_simulator_mps"
            if kind == "statevector"
            else ", or use aer_simulator_mps"
        )
        raise BadRequest(
            f"circuit {i + 1} has {qubits} qubits: simulating it with method "
            f"{settings.method!r} needs {_formula(settings.method, kind, qubits)} "
            f"({human_bytes(need)}) plus working memory, {human_bytes(need * HEADROOM)} in all, "
            f"more than the {human_bytes(limit)} a simulation may use here ({MEMORY_ENV}); {hint}",
            field=field,
        )


def check_exact_circuits(spec: JobSpec) -> None:
    """StatevectorRun simulates the state before the final measurements; a measurement or reset
    earlier than that would make "the" state one random trajectory."""
    if spec.run_type is not RunType.STATEVECTOR:
        return
    qk = require("qdispatch_qiskit")
    for i, circuit in enumerate(spec.circuits):
        found = qk.non_unitary_operations(qk.drop_final_measurements(qk.parse_qasm(circuit.qasm)))
        if found:
            raise BadRequest(
                f"circuit {i + 1} has {', '.join(found)} before its final measurements; "
                "StatevectorRun needs a circuit whose state is determined (use run_type Run)",
                field="run_type",
            )


def check(device: Device, spec: JobSpec, limit: int, methods: Mapping[str, Any]) -> RunSettings:
    settings = RunSettings.resolve(device, spec.options)
    check_method(device, settings, spec.plan.output_kind, methods)
    check_memory(device, spec, settings, limit)
    check_exact_circuits(spec)
    return settings
