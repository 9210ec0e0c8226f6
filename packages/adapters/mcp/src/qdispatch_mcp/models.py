"""The structured outputs of the tools that have no model in the core, with their `context`.

Run and job outputs reuse the core's `RunResponse` and `JobResponse`, so every door shows a job
the same way. The lists here wrap the core's views and add a `context` text that tells an agent
what it is looking at and which tool to call next.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from qdispatch_core.domain import Circuit, Device, Experiment, Job
from qdispatch_core.schemas import (
    CircuitView,
    DeviceSummary,
    DeviceView,
    ExperimentView,
    JobSummary,
)

CONTEXT = "What this result is and which tool to call next, in words."


class DeviceList(BaseModel):
    devices: list[DeviceSummary] = Field(description="Simulators first, then QPUs.")
    context: str = Field(description=CONTEXT)

    @classmethod
    def of(cls, devices: Sequence[Device], provider: str | None) -> DeviceList:
        views = [DeviceSummary.of(d) for d in devices]
        if not views:
            where = f" for provider {provider!r}" if provider else ""
            return cls(devices=[], context=f"No devices{where}. Call without a provider filter.")
        simulators = sum(v.simulator for v in views)
        context = (
            f"{len(views)} devices ({simulators} simulators, {len(views) - simulators} QPUs). "
            "Pass a device's id as device_id to run_circuits_on_qpu_or_simulator. A device with "
            "credential_options needs those keys in options (a dry run needs none); "
            "price_basis null means free. get_device_details gives a device's accepted options "
            "and their ranges, shot limit, mitigation, basis gates and coupling map."
        )
        return cls(devices=views, context=context)


class ExperimentOut(BaseModel):
    experiment: ExperimentView
    context: str = Field(description=CONTEXT)

    @classmethod
    def of(cls, experiment: Experiment) -> ExperimentOut:
        return cls(
            experiment=ExperimentView.of(experiment),
            context=(
                f"Experiment {experiment.id} ({experiment.name!r}). Pass "
                f"experiment_id={experiment.id} to submit_circuit_for_analytics or "
                "run_circuits_on_qpu_or_simulator; list_circuits_in_experiment and list_jobs "
                "show what it holds."
            ),
        )


class ExperimentList(BaseModel):
    experiments: list[ExperimentView]
    context: str = Field(description=CONTEXT)

    @classmethod
    def of(cls, experiments: Sequence[Experiment]) -> ExperimentList:
        if not experiments:
            context = "No experiments yet: create one with create_new_experiment."
        else:
            context = (
                f"{len(experiments)} experiment{'s' if len(experiments) != 1 else ''}. Use an id "
                "as experiment_id; create_new_experiment with an existing name returns that one."
            )
        return cls(experiments=[ExperimentView.of(e) for e in experiments], context=context)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _circuit_summary(circuit: Circuit) -> str:
    a = circuit.analytics
    params = (
        f"{_count(a.num_parameters, 'parameter')} bound in the order {list(a.parameter_names)}"
        if a.num_parameters
        else "no parameters"
    )
    measured = "measured" if a.has_measurements else "no measurements (a Run needs observables)"
    return (
        f"{_count(a.qubits, 'qubit')}, depth {a.depth}, "
        f"{_count(a.gates_2q, 'two-qubit gate')} of {a.gates_total}, {params}, {measured}"
    )


class CircuitOut(BaseModel):
    circuit: CircuitView
    context: str = Field(description=CONTEXT)

    @classmethod
    def of(cls, circuit: Circuit) -> CircuitOut:
        return cls(
            circuit=CircuitView.of(circuit),
            context=(
                f"Circuit {circuit.id} is stored in experiment {circuit.experiment_id}: "
                f"{_circuit_summary(circuit)}. Run it with run_circuits_on_qpu_or_simulator "
                f"and circuit_ids=[{circuit.id!r}]."
            ),
        )


class CircuitList(BaseModel):
    circuits: list[CircuitView]
    context: str = Field(description=CONTEXT)

    @classmethod
    def of(cls, experiment_id: str, circuits: Sequence[Circuit]) -> CircuitList:
        if not circuits:
            context = (
                f"Experiment {experiment_id} holds no circuits yet: store one with "
                "submit_circuit_for_analytics, or pass circuits_qasm to "
                "run_circuits_on_qpu_or_simulator."
            )
        else:
            context = (
                f"{len(circuits)} circuit{'s' if len(circuits) != 1 else ''} in experiment "
                f"{experiment_id}. Pass ids as circuit_ids to run_circuits_on_qpu_or_simulator."
            )
        return cls(circuits=[CircuitView.of(c) for c in circuits], context=context)


class JobList(BaseModel):
    jobs: list[JobSummary] = Field(description="Newest first.")
    context: str = Field(description=CONTEXT)

    @classmethod
    def of(cls, jobs: Sequence[Job]) -> JobList:
        if not jobs:
            context = "No jobs match. Submit one with run_circuits_on_qpu_or_simulator."
        else:
            counts: dict[str, int] = {}
            for job in jobs:
                counts[job.status.value] = counts.get(job.status.value, 0) + 1
            by_status = ", ".join(f"{n} {s}" for s, n in counts.items())
            context = (
                f"{len(jobs)} job{'s' if len(jobs) != 1 else ''} ({by_status}). Call "
                "get_job_results_and_status with a job id for its results, or wait_for_job "
                "for one that is not final."
            )
        return cls(jobs=[JobSummary.of(j) for j in jobs], context=context)


class DeviceOut(BaseModel):
    device: DeviceView
    context: str = Field(description=CONTEXT)

    @classmethod
    def of(cls, device: Device) -> DeviceOut:
        needs = (
            f"needs options {', '.join(device.credential_options)}"
            if device.credential_options
            else "needs no credentials"
        )
        return cls(
            device=DeviceView.of(device),
            context=(
                f"{device.id}: {device.qubits} qubits, "
                f"{'simulator' if device.simulator else 'QPU'}, {device.status.value}; {needs}. "
                "Pass it as device_id to run_circuits_on_qpu_or_simulator; options accepts the "
                "keys in `options` within their ranges."
            ),
        )
