"""Tools for what a run needs: devices, experiments and stored circuits."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from qdispatch_core import usecases
from qdispatch_core.schemas import DESCRIPTION_MAX, NAME_MAX
from qdispatch_mcp.calls import Runtime, respond, use_case
from qdispatch_mcp.models import (
    CircuitList,
    CircuitOut,
    DeviceList,
    DeviceOut,
    ExperimentList,
    ExperimentOut,
)

ExperimentId = Annotated[
    str,
    Field(description="An experiment id (exp_…) from create_new_experiment or list_experiments."),
]


async def list_qpus_and_simulators(
    ctx: Context[Runtime],
    provider: Annotated[
        str | None,
        Field(description="Only this provider's devices: aer, ibm, braket, ionq. Omit for all."),
    ] = None,
    simulator: Annotated[
        bool | None,
        Field(strict=True, description="true: only simulators; false: only QPUs. Omit for both."),
    ] = None,
    min_qubits: Annotated[
        int | None,
        Field(strict=True, ge=1, description="Only devices with at least this many qubits."),
    ] = None,
    local: Annotated[
        bool | None,
        Field(
            strict=True,
            description="true: only devices that run on this host (free, no credentials); "
            "false: only cloud devices. Omit for both.",
        ),
    ] = None,
) -> Annotated[CallToolResult, DeviceList]:
    """List the QPUs and simulators a job can run on. Call this first: every
    run_circuits_on_qpu_or_simulator call needs a device_id from this list.

    Each device has its id, provider and qubit count, and flags that appear only when true:
    simulator (absent: a QPU), local (runs on this host: free, online, no credentials),
    statevector (accepts run_type StatevectorRun), credentials (needs its provider's keys in
    options, named in the context) and paid (has a price). Every filter is optional.
    get_device_details(device_id) gives the rest: accepted options and their ranges, shot
    limit, status, pricing, mitigation, basis gates and coupling map. Local simulators cost
    nothing and need no credentials; prefer them (aer_simulator) unless the user asks for
    hardware.
    """

    def listing(services, _user) -> list:
        return usecases.list_devices(
            services, provider, simulator=simulator, min_qubits=min_qubits, local=local
        )

    async def work() -> DeviceList:
        filters = {
            "provider": provider,
            "simulator": simulator,
            "min_qubits": min_qubits,
            "local": local,
        }
        return DeviceList.of(await use_case(ctx, listing), filters)

    return await respond("list_qpus_and_simulators", work)


async def get_device_details(
    ctx: Context[Runtime],
    device_id: Annotated[str, Field(description="A device id from list_qpus_and_simulators.")],
) -> Annotated[CallToolResult, DeviceOut]:
    """Everything about one device: the ranges and choices of the runtime options it accepts,
    its basis gates and coupling map, pricing and mitigation. Call it when you need more than
    list_qpus_and_simulators shows, e.g. to pick valid option values or check connectivity."""

    async def work() -> DeviceOut:
        return DeviceOut.of(await use_case(ctx, lambda s, _u: usecases.get_device(s, device_id)))

    return await respond("get_device_details", work)


async def create_new_experiment(
    ctx: Context[Runtime],
    name: Annotated[
        str, Field(description=f"The experiment's name, unique per user, 1..{NAME_MAX} characters.")
    ],
    description: Annotated[
        str, Field(description=f"What the experiment is for, at most {DESCRIPTION_MAX} characters.")
    ] = "",
) -> Annotated[CallToolResult, ExperimentOut]:
    """Create an experiment: the named container every circuit and job belongs to. Call this
    before submit_circuit_for_analytics or run_circuits_on_qpu_or_simulator, which both need
    its experiment_id.

    A name you already have returns that existing experiment (its description unchanged), so
    calling this again with the same name is safe and is how to find an experiment by name.
    """

    async def work() -> ExperimentOut:
        experiment = await use_case(ctx, usecases.create_experiment, name, description)
        return ExperimentOut.of(experiment)

    return await respond("create_new_experiment", work)


async def list_experiments(ctx: Context[Runtime]) -> Annotated[CallToolResult, ExperimentList]:
    """List your experiments, newest first, with their ids, names and descriptions. Use it to
    find an experiment_id to reuse instead of creating a new experiment."""

    async def work() -> ExperimentList:
        return ExperimentList.of(await use_case(ctx, usecases.list_experiments))

    return await respond("list_experiments", work)


async def get_experiment(
    ctx: Context[Runtime], experiment_id: ExperimentId
) -> Annotated[CallToolResult, ExperimentOut]:
    """Read one experiment by id. An id that is not yours reads as 404. To see what it holds,
    call list_circuits_in_experiment and list_jobs with this experiment_id."""

    async def work() -> ExperimentOut:
        return ExperimentOut.of(await use_case(ctx, usecases.get_experiment, experiment_id))

    return await respond("get_experiment", work)


async def submit_circuit_for_analytics(
    ctx: Context[Runtime],
    experiment_id: ExperimentId,
    circuit_qasm: Annotated[
        str, Field(description="The circuit as OpenQASM 2.0 or 3.0 source text.")
    ],
    name: Annotated[str, Field(description=f"At most {NAME_MAX} characters.")] = "",
    description: Annotated[str, Field(description=f"At most {DESCRIPTION_MAX} characters.")] = "",
) -> Annotated[CallToolResult, CircuitOut]:
    """Store an OpenQASM 2.0 or 3.0 circuit in an experiment and return its id and analytics:
    qubits, clbits, depth, two-qubit depth, gate counts, operations, has_measurements, and
    parameter_names in binding order (the order run_circuits_on_qpu_or_simulator binds
    positional parameter values: Qiskit's, by name, so theta10 comes before theta2).

    Use it to inspect a circuit before running it, or to store circuits once and run them many
    times by circuit_ids. The same source stored twice in one experiment is one circuit (same
    id). Unparsable QASM is a 400 with the parser's line and column; an unknown experiment is
    a 404 (create it with create_new_experiment first).
    """

    async def work() -> CircuitOut:
        circuit = await use_case(
            ctx, usecases.submit_circuit, experiment_id, circuit_qasm, name, description
        )
        return CircuitOut.of(circuit)

    return await respond("submit_circuit_for_analytics", work)


async def list_circuits_in_experiment(
    ctx: Context[Runtime],
    experiment_id: ExperimentId,
    limit: Annotated[
        int, Field(strict=True, description="At most this many circuits, 1..1000.")
    ] = 50,
) -> Annotated[CallToolResult, CircuitList]:
    """List the circuits stored in an experiment, newest first, with their ids and analytics
    (no source). Pass their ids as circuit_ids to run_circuits_on_qpu_or_simulator."""

    async def work() -> CircuitList:
        circuits = await use_case(ctx, usecases.list_circuits, experiment_id, limit)
        return CircuitList.of(experiment_id, circuits)

    return await respond("list_circuits_in_experiment", work)
