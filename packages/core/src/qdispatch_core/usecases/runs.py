"""Submitting a run (run contract §3–§9): complete validation first, then one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from qdispatch_core import context
from qdispatch_core.domain import Circuit, CircuitAnalytics, Device, Job, JobStatus, RunType, User
from qdispatch_core.domain.jobs import Progress
from qdispatch_core.domain.lifecycle import walk
from qdispatch_core.errors import BadRequest, Conflict, NotFound, PaymentRequired
from qdispatch_core.ids import new_id
from qdispatch_core.ports.backend import Backend, JobSpec, SpecCircuit
from qdispatch_core.rules import request_limits
from qdispatch_core.rules._shapes import describe
from qdispatch_core.rules.circuits import statevector_bytes
from qdispatch_core.rules.limits import human_bytes
from qdispatch_core.rules.observables import normalize_observables
from qdispatch_core.rules.options import SECRET_OPTION_KEYS, split_options
from qdispatch_core.rules.parameters import normalize_parameters
from qdispatch_core.rules.plan import JobPlan, build_plan
from qdispatch_core.rules.text import check_text, quote
from qdispatch_core.schemas import RunRequest, RunResponse, cost_view, parse
from qdispatch_core.usecases.circuits import ParsedSource, parse_source, store_circuit
from qdispatch_core.usecases.services import Services
from qdispatch_core.usecases.specs import job_spec, spec_circuit


def _load_stored(services: Services, user: User, request: RunRequest) -> list[Circuit]:
    """The request's stored circuits, read with its experiment. A request without any has
    its experiment checked in the transaction that stores the job instead: one read
    transaction fewer per submission (issue 15)."""
    if not request.circuit_ids:
        return []
    with services.repository.read() as uow:
        uow.experiments.get(user.id, request.experiment_id)
        stored = []
        for i, circuit_id in enumerate(request.circuit_ids):
            try:
                stored.append(uow.circuits.get(user.id, circuit_id))
            except NotFound:
                raise NotFound(
                    f"circuit_ids[{i}]: no circuit {quote(circuit_id)}", field=f"circuit_ids[{i}]"
                ) from None
    return stored


def _check_basics(services: Services, request: RunRequest, device: Device) -> RunType:
    limits = services.limits
    check_text(request.name, "name", max_length=limits.name_max)
    check_text(
        request.description, "description", max_length=limits.description_max, multiline=True
    )
    run_type = RunType(request.run_type)
    if run_type not in device.run_types:
        supported = ", ".join(r.value for r in device.run_types)
        raise BadRequest(
            f"run_type: {device.id} cannot do {run_type.value} (it supports {supported}); "
            "StatevectorRun needs a simulator that exposes its state",
            field="run_type",
        )
    if run_type is RunType.RUN and not 1 <= request.shots <= device.max_shots:
        raise BadRequest(
            f"shots: expected 1..{device.max_shots} for {device.id}, got {describe(request.shots)}",
            field="shots",
        )
    return run_type


def _check_circuits(
    services: Services,
    request: RunRequest,
    device: Device,
    run_type: RunType,
    analytics: Sequence[CircuitAnalytics],
) -> None:
    for i, a in enumerate(analytics):
        if a.qubits > device.qubits:
            raise BadRequest(
                f"circuit {i + 1} has {a.qubits} qubits; {device.id} has {device.qubits}",
                field=_circuit_field(request, i),
            )
        if run_type is RunType.RUN and request.observables is None and not a.has_measurements:
            raise BadRequest(
                f"circuit {i + 1} has no measurements; add them or pass observables",
                field=_circuit_field(request, i),
            )
        if run_type is RunType.STATEVECTOR and request.observables is None:
            _check_statevector_memory(services, i, a.qubits)


def _check_statevector_memory(services: Services, index: int, qubits: int) -> None:
    limits = services.limits
    need = statevector_bytes(qubits) * limits.statevector_headroom
    if need > limits.simulation_memory_bytes:
        raise BadRequest(
            f"circuit {index + 1} has {qubits} qubits: its state vector needs "
            f"{human_bytes(statevector_bytes(qubits))} (16·2^{qubits} bytes) plus working "
            f"memory, {human_bytes(need)} in all, more than the "
            f"{human_bytes(limits.simulation_memory_bytes)} a "
            "simulation may use; use fewer qubits, pass observables, or use run_type Run",
            field="run_type",
        )


def _circuit_field(request: RunRequest, index: int) -> str:
    stored = len(request.circuit_ids)
    return f"circuit_ids[{index}]" if index < stored else f"circuits_qasm[{index - stored}]"


def _candidate_credentials(options: Mapping[str, Any]) -> dict[str, str]:
    # Device listing for cloud providers may need the account's credentials.
    return {k: v for k, v in options.items() if k in SECRET_OPTION_KEYS and isinstance(v, str)}


def _check_credentials(backend: Backend, device: Device, credentials: Mapping[str, str]) -> None:
    missing = backend.missing_credentials(device, credentials)
    if missing:
        raise BadRequest(
            f"options: {device.id} needs credentials {', '.join(missing)} in options (or in "
            f"the provider SDK's usual environment variables); dry_run=true needs none",
            field="options",
        )


def _check_plan(
    limits: Any, run_type: RunType, shots: int, plan: JobPlan, analytics: Sequence[Any]
) -> None:
    request_limits.check_shots(limits, run_type, shots, len(plan.executables))
    per_circuit = [
        len(c.parameter_sets) * (len(c.groups) if c.groups is not None else 1)
        for c in plan.circuits
    ]
    request_limits.check_result_size(
        limits, run_type, shots, analytics, per_circuit, plan.has_observables
    )


@contextmanager
def _native_failures_refused() -> Iterator[None]:
    """A vendor SDK's native code that fails with a BaseException (PyO3's PanicException)
    refuses the request instead of escaping every `except Exception` above this call."""
    try:
        yield
    except (Exception, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:
        raise BadRequest(
            f"device_id: the device's software failed on this request ({type(exc).__name__}); "
            "nothing was stored",
            field="device_id",
        ) from None


def _plan_document(plan: JobPlan, device_plan: Any | None) -> dict[str, Any]:
    document = plan.summary()
    if device_plan is not None:
        document["circuits"] = list(device_plan.circuits)
        document["notes"] = list(device_plan.notes)
    return document


@dataclass(frozen=True)
class _Checked:
    """A run request after every check that needs no backend call: its circuits, device,
    options split from credentials, canonical parameters and observables."""

    request: RunRequest
    stored: Sequence[Circuit]
    sources: Sequence[ParsedSource]
    backend: Backend
    device: Device
    run_type: RunType
    runtime: dict[str, Any]
    credentials: Mapping[str, str]
    analytics: Sequence[CircuitAnalytics]
    parameters: list[list[list[float]]] | None
    observables: list[list[list[Any]]] | None

    @property
    def circuits(self) -> list[SpecCircuit]:
        """In run order: stored circuits first, then the new sources."""
        out = [spec_circuit(c) for c in self.stored]
        out += [
            SpecCircuit("", "", s.qasm, s.parsed.qasm_version, s.parsed.analytics)
            for s in self.sources
        ]
        return out


def submit_run(
    services: Services,
    user: User,
    request: RunRequest | Mapping[str, Any],
    *,
    circuit_names: Sequence[str] = (),
) -> RunResponse:
    """Validate a run request completely, then store circuits, job, reservation and sealed
    credentials in one transaction. Returns at once; a worker executes the job.

    Every door (CLI, MCP, library) builds its `RunRequest` itself, with `parse` so that a
    refused field is the contract's 400; a mapping is still accepted, parsed the same way,
    for the tests and benchmarks that write requests as dicts.

    `circuit_names` names the new circuits of `circuits_qasm`, in order (the CLI names them
    after their files); a source already stored keeps its name."""
    req = parse(RunRequest, request)  # a RunRequest is returned as it is, not validated again
    names = _circuit_names(services, circuit_names)
    checked = _validate(services, user, req)
    plan = _plan(services, checked)
    job = _new_job(services, user, checked, plan)
    estimate, device_plan = _check_with_backend(checked, job_spec(job, checked.circuits, plan))
    job = _store_with_retry(
        services, user, checked, replace(job, estimated_cost=estimate), plan, device_plan, names
    )
    return RunResponse(
        job_id=job.id,
        status=job.status,
        device_id=job.device_id,
        estimated_cost=cost_view(estimate),
        context=context.submitted(job),
    )


def _circuit_names(services: Services, circuit_names: Sequence[str]) -> list[str]:
    limits = services.limits
    return [
        check_text(n, f"circuit_names[{i}]", max_length=limits.name_max)
        for i, n in enumerate(circuit_names)
    ]


def _validate(services: Services, user: User, req: RunRequest) -> _Checked:
    """Every check of the request that needs no backend call (400/404, nothing stored)."""
    limits = services.limits
    request_limits.check_circuits(limits, req.circuit_ids, req.circuits_qasm)
    stored = _load_stored(services, user, req)
    sources = [
        parse_source(services, q, f"circuits_qasm[{i}]") for i, q in enumerate(req.circuits_qasm)
    ]
    if not stored and not sources:
        raise BadRequest(
            "circuit_ids/circuits_qasm: give at least one circuit", field="circuits_qasm"
        )
    backend, device = services.backends.resolve(req.device_id, _candidate_credentials(req.options))
    run_type = _check_basics(services, req, device)
    runtime, credentials = split_options(req.options, device)
    analytics = [c.analytics for c in stored] + [s.parsed.analytics for s in sources]
    _check_circuits(services, req, device, run_type, analytics)
    parameters = normalize_parameters(req.parameters, [a.parameter_names for a in analytics])
    request_limits.check_parameter_sets(limits, parameters)
    observables = normalize_observables(req.observables, [a.qubits for a in analytics])
    request_limits.check_paulis(limits, observables)
    return _Checked(
        request=req,
        stored=stored,
        sources=sources,
        backend=backend,
        device=device,
        run_type=run_type,
        runtime=runtime,
        credentials=credentials,
        analytics=analytics,
        parameters=parameters,
        observables=observables,
    )


def _plan(services: Services, checked: _Checked) -> JobPlan:
    req, limits = checked.request, services.limits
    plan = build_plan(
        checked.run_type,
        req.shots,
        [a.qubits for a in checked.analytics],
        checked.parameters,
        checked.observables,
        provider_estimates=checked.backend.estimates_observables(
            checked.device, req.use_mitigation
        ),
        max_executables=limits.executables,
    )
    _check_plan(limits, checked.run_type, req.shots, plan, checked.analytics)
    return plan


def _new_job(services: Services, user: User, checked: _Checked, plan: JobPlan) -> Job:
    """The job as it will be stored (its new circuits' ids and its estimate come later)."""
    req, now = checked.request, services.clock()
    return Job(
        id=new_id("job"),
        owner_id=user.id,
        experiment_id=req.experiment_id,
        device_id=checked.device.id,
        provider=checked.backend.provider,
        run_type=checked.run_type,
        shots=req.shots,
        circuit_ids=(),
        parameters=checked.parameters,
        observables=checked.observables,
        options=checked.runtime,
        use_mitigation=req.use_mitigation,
        dry_run=req.dry_run,
        created_at=now,
        name=req.name,
        description=req.description,
        progress=Progress(0, len(plan.executables)),
        logs=(f"{now.isoformat()} Submitted",),
    )


def _check_with_backend(checked: _Checked, spec: JobSpec) -> tuple[Any, Any]:
    """The backend's own checks, its cost estimate and, for a dry run, its plan."""
    backend, device = checked.backend, checked.device
    with _native_failures_refused():
        backend.validate(device, spec)
        if not checked.request.dry_run:
            _check_credentials(backend, device, checked.credentials)
        estimate = backend.estimate_cost(device, spec, credentials=checked.credentials)
        device_plan = backend.prepare(device, spec) if checked.request.dry_run else None
    return estimate, device_plan


def _store_with_retry(
    services: Services,
    user: User,
    checked: _Checked,
    job: Job,
    plan: JobPlan,
    device_plan: Any,
    names: Sequence[str],
) -> Job:
    for attempt in range(2):
        try:
            return _store(services, user, checked, job, plan, device_plan, names)
        except Conflict:
            # A concurrent submission stored one of our new circuits first; the second
            # attempt finds it by its hash and reuses it.
            if attempt:
                raise
    raise AssertionError("unreachable")  # the loop returns or raises


def _store(
    services: Services,
    user: User,
    checked: _Checked,
    job: Job,
    plan: JobPlan,
    device_plan: Any,
    names: Sequence[str] = (),
) -> Job:
    """One transaction: new circuits, the job, its reservation and its sealed credentials."""
    req, now = checked.request, job.created_at
    with services.repository.begin() as uow:
        if not req.circuit_ids:  # not read by `_load_stored`: 404 here, nothing is stored
            uow.experiments.get(user.id, req.experiment_id)
        new_ids = [
            store_circuit(uow, services, user, req.experiment_id, s, *names[i : i + 1]).id
            for i, s in enumerate(checked.sources)
        ]
        job = replace(job, circuit_ids=tuple(c.id for c in checked.stored) + tuple(new_ids))
        if req.dry_run:
            job = replace(job, plan=_plan_document(plan, device_plan))
            job = walk(
                job,
                (JobStatus.INITIALIZING, JobStatus.VALIDATING, JobStatus.DONE),
                now,
                "dry run: validated and planned, not executed",
            )
        uow.jobs.add(job)
        if not req.dry_run:
            _reserve(uow, user, job)
            if checked.credentials:
                sealed = services.cipher.seal(json.dumps(checked.credentials).encode())
                uow.secrets.put(job.id, sealed)
        uow.commit()
    return job


def _reserve(uow: Any, user: User, job: Job) -> None:
    """Hold the job's estimated cost on the user's balance (nothing when it costs nothing)."""
    usd = job.estimated_cost.billable_usd if job.estimated_cost is not None else 0.0
    if usd <= 0:
        return
    amount = Decimal(str(usd))
    try:
        uow.billing.reserve(user.id, job.id, amount)
    except PaymentRequired as exc:
        raise PaymentRequired(
            f"the estimated cost of this job is {context.money(job.estimated_cost)} and "
            f"{exc.message}; add credit or reduce the shots/executables (nothing was stored)",
            field="billing",
        ) from None
