"""The structured outputs of the tools, with their `context`.

A tool that returns one entity returns it flat, as the seed's tools do (run contract §10): the
core's view of the entity (`ExperimentView`, `CircuitView`, `DeviceView`; the job's is in
`results.py`) with a `context` text beside its fields that tells an agent what it is looking at
and which tool to call next. Listings return their items and a `context`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

from qdispatch_core.domain import Circuit, Device, Experiment, Job, RunType
from qdispatch_core.schemas import (
    CircuitView,
    DeviceView,
    ExperimentView,
    JobSummary,
)

CONTEXT = "What this result is and which tool to call next, in words."


# The flags of a device in the listing: present only when true, so the listing of every
# provider's ~90 devices stays within ~10 KB of an agent's context (issue 18).
FLAGS = ("simulator", "local", "statevector", "credentials", "paid")


class DeviceBrief(BaseModel):
    """A device in the listing: what choosing one needs, and nothing more. Its flags are
    present only when true; get_device_details has the rest (options, shot limit, status,
    gates, coupling map, pricing, mitigation)."""

    id: str
    provider: str
    qubits: int
    simulator: bool = Field(default=False, description="A simulator (absent: a QPU).")
    local: bool = Field(
        default=False, description="Runs on this host: free, online, no credentials needed."
    )
    statevector: bool = Field(default=False, description="Accepts run_type StatevectorRun.")
    credentials: bool = Field(
        default=False, description="Needs its provider's credential keys in options."
    )
    paid: bool = Field(default=False, description="Has a price (a balance check at submission).")

    @model_serializer(mode="wrap")
    def _flags_only_when_true(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        return {k: v for k, v in data.items() if not (k in FLAGS and v is False)}

    @classmethod
    def of(cls, device: Device) -> DeviceBrief:
        return cls(
            id=device.id,
            provider=device.provider,
            qubits=device.qubits,
            simulator=device.simulator,
            local=device.local,
            statevector=RunType.STATEVECTOR in device.run_types,
            credentials=bool(device.credential_options),
            paid=device.pricing is not None,
        )


class DeviceList(BaseModel):
    devices: list[DeviceBrief] = Field(description="Simulators first, then QPUs.")
    context: str = Field(description=CONTEXT)

    @classmethod
    def of(cls, devices: Sequence[Device], filters: Mapping[str, Any]) -> DeviceList:
        briefs = [DeviceBrief.of(d) for d in devices]
        if not briefs:
            given = ", ".join(f"{k}={v!r}" for k, v in filters.items() if v is not None)
            text = f"No devices match {given}. Call with fewer filters." if given else ""
            return cls(devices=[], context=text or "No devices are installed.")
        simulators = sum(b.simulator for b in briefs)
        context = (
            f"{len(briefs)} devices ({simulators} simulators, {len(briefs) - simulators} QPUs); "
            "flags appear only when true. Pass an id as device_id to "
            "run_circuits_on_qpu_or_simulator; local devices are free and need no credentials. "
            f"{_credential_keys(devices)}get_device_details gives a device's options and their "
            "ranges, shot limit, status, pricing, mitigation, basis gates and coupling map. "
            "Filters: provider, simulator, min_qubits, local."
        )
        return cls(devices=briefs, context=context)


def _credential_keys(devices: Sequence[Device]) -> str:
    """'Credentials in options: ibm: ibm_quantum_token, …; ionq: ….' (a dry run needs none)."""
    keys: dict[str, list[str]] = {}
    for device in devices:
        for key in device.credential_options:
            found = keys.setdefault(device.provider, [])
            if key not in found:
                found.append(key)
    if not keys:
        return ""
    listed = "; ".join(f"{p}: {', '.join(k)}" for p, k in keys.items())
    return f"Credentials go in options ({listed}); a dry run needs none. "


class ExperimentOut(ExperimentView):
    """An experiment's fields, and a context."""

    context: str = Field(description=CONTEXT)

    @classmethod
    def of(cls, experiment: Experiment) -> ExperimentOut:
        return cls(
            **ExperimentView.of(experiment).model_dump(),
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


class CircuitOut(CircuitView):
    """A circuit's fields (with its analytics), and a context."""

    context: str = Field(description=CONTEXT)

    @classmethod
    def of(cls, circuit: Circuit, *, with_source: bool = False) -> CircuitOut:
        return cls(
            **CircuitView.of(circuit, with_source=with_source).model_dump(),
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


class DeviceOut(DeviceView):
    """A device's fields, and a context."""

    context: str = Field(description=CONTEXT)

    @classmethod
    def of(cls, device: Device) -> DeviceOut:
        needs = (
            f"needs options {', '.join(device.credential_options)}"
            if device.credential_options
            else "needs no credentials"
        )
        return cls(
            **DeviceView.of(device).model_dump(),
            context=(
                f"{device.id}: {device.qubits} qubits, "
                f"{'simulator' if device.simulator else 'QPU'}, {device.status.value}; {needs}. "
                "Pass it as device_id to run_circuits_on_qpu_or_simulator; options accepts the "
                "keys in `options` within their ranges."
            ),
        )
