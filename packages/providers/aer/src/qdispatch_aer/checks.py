"""Checks a job must pass before it runs on Aer (beyond the run contract's own)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qdispatch_aer.devices import dense_state
from qdispatch_aer.settings import RunSettings
from qdispatch_core.domain import Device, RunType
from qdispatch_core.errors import BadRequest
from qdispatch_core.ports.backend import JobSpec
from qdispatch_qiskit.memory import check_fits

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


def check_memory(device: Device, spec: JobSpec, settings: RunSettings, limit: int) -> None:
    """A dense simulation must fit, with working memory, in what this worker may use."""
    kind = spec.plan.output_kind
    state = dense_state(settings.method, kind)
    if state is None:
        return
    explicit = settings.method != "automatic" and kind != "statevector"
    hint = "use fewer qubits" + (
        ", pass observables, or use aer_simulator_mps"
        if kind == "statevector"
        else ", or use aer_simulator_mps"
    )
    for i, circuit in enumerate(spec.circuits):
        qubits = circuit.analytics.qubits
        check_fits(
            state,
            qubits,
            limit,
            subject=f"circuit {i + 1} has {qubits} qubits",
            doing=f"simulating it with method {settings.method!r}",
            hint=hint,
            field="options['method']" if explicit else "run_type",
        )


def check_exact_circuits(spec: JobSpec) -> None:
    """StatevectorRun simulates the state before the final measurements; a measurement or reset
    earlier than that would make "the" state one random trajectory."""
    if spec.run_type is not RunType.STATEVECTOR:
        return
    import qdispatch_qiskit

    qdispatch_qiskit.check_final_measurements(
        [c.qasm for c in spec.circuits],
        "StatevectorRun needs a circuit whose state is determined (use run_type Run)",
        field="run_type",
    )


def check(device: Device, spec: JobSpec, limit: int, methods: Mapping[str, Any]) -> RunSettings:
    settings = RunSettings.resolve(device, spec.options)
    check_method(device, settings, spec.plan.output_kind, methods)
    check_memory(device, spec, settings, limit)
    check_exact_circuits(spec)
    return settings
