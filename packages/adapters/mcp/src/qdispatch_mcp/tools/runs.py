"""The tool the product is named for: `run_circuits_on_qpu_or_simulator` (run contract §3)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult
from pydantic import Field

from qdispatch_core import usecases
from qdispatch_core.domain import JobStatus
from qdispatch_core.schemas import RunRequest, RunResponse, parse
from qdispatch_mcp.calls import Runtime, respond, runtime_of, use_case


def _about(field: str) -> str:
    # One wording for every door: the core's request model says what each field means.
    return RunRequest.model_fields[field].description or ""


async def run_circuits_on_qpu_or_simulator(
    ctx: Context[Runtime],
    *,
    experiment_id: Annotated[str, Field(description=_about("experiment_id"))],
    circuit_ids: Annotated[
        list[str], Field(default_factory=list, description=_about("circuit_ids"))
    ],
    circuits_qasm: Annotated[
        list[str], Field(default_factory=list, description=_about("circuits_qasm"))
    ],
    device_id: Annotated[str, Field(description=_about("device_id"))],
    run_type: Annotated[
        Literal["Run", "StatevectorRun"], Field(description=_about("run_type"))
    ] = "Run",
    shots: Annotated[int, Field(strict=True, description=_about("shots"))] = 1024,
    parameters: Annotated[Any, Field(description=_about("parameters"))] = None,
    observables: Annotated[Any, Field(description=_about("observables"))] = None,
    options: Annotated[dict[str, Any], Field(default_factory=dict, description=_about("options"))],
    use_mitigation: Annotated[
        bool, Field(strict=True, description=_about("use_mitigation"))
    ] = False,
    name: Annotated[str, Field(description=_about("name"))] = "",
    description: Annotated[str, Field(description=_about("description"))] = "",
    dry_run: Annotated[bool, Field(strict=True, description=_about("dry_run"))] = False,
) -> Annotated[CallToolResult, RunResponse]:
    """Run one or more circuits on a selected QPU or simulator. Returns at once with a job_id;
    execution happens in the background and results are NOT returned inline.

    When to use:
    - After list_qpus_and_simulators returned a usable device_id, and create_new_experiment
      (or list_experiments) gave an experiment_id.
    - When the user wants circuits executed: counts (run_type Run), exact state vectors
      (StatevectorRun, simulators only) or expectation values (pass observables).
    - With circuits stored earlier (circuit_ids) and/or inline OpenQASM 2.0/3.0
      (circuits_qasm, stored into the experiment first). Run order: circuit_ids, then
      circuits_qasm.

    Constraints:
    - Provide at least one of circuit_ids or circuits_qasm.
    - run_type must be exactly Run or StatevectorRun.
    - shots: 1..the device's max_shots.
    - A Run without observables needs measurements in every circuit.
    - Pauli strings have one character per qubit; the rightmost acts on qubit 0.
    - options: only keys the device lists (credentials in its credential_options, runtime
      options in its options); unknown keys are rejected, never ignored.

    Results (in get_job_results_and_status) are nested lists ordered circuits → observables →
    parameter sets: the circuit layer is always there, the observable layer only when
    observables were given, the parameter layer only when parameters were given.

    Credentials go in options and are never stored in plain text or shown back:
    IBM Quantum {"ibm_quantum_token": "<TOKEN>", "ibm_quantum_instance": "<INSTANCE>"};
    Amazon Braket {"aws_access_key_id": "<ID>", "aws_secret_access_key": "<SECRET>",
    "aws_default_region": "<REGION>"}; IonQ {"ionq_api_key": "<KEY>"}. Local simulators need
    none. dry_run=true validates, stores, transpiles and estimates the cost without executing
    or charging, and needs no credentials.

    Errors (tool errors whose text starts with the code and says what to change): 400 for an
    invalid request (the field and index are named); 402 when the estimated cost exceeds the
    balance; 404 for an experiment, circuit or device that does not exist or is not yours.
    Nothing is stored when a request is refused.

    Next: call wait_for_job (waits up to 60 s, with progress) or get_job_results_and_status
    with the returned job_id.
    """
    fields = {
        "experiment_id": experiment_id,
        "circuit_ids": circuit_ids,
        "circuits_qasm": circuits_qasm,
        "device_id": device_id,
        "run_type": run_type,
        "shots": shots,
        "parameters": parameters,
        "observables": observables,
        "options": options,
        "use_mitigation": use_mitigation,
        "name": name,
        "description": description,
        "dry_run": dry_run,
    }

    async def work() -> RunResponse:
        # The tool's one typed request, built inside `respond` so that a refused field is the
        # contract's 400 like any other (the arguments were checked already by ContractTool).
        request = parse(RunRequest, fields)
        response = await use_case(ctx, usecases.submit_run, request)
        if response.status != JobStatus.DONE:  # a dry run is finished at submission
            runtime_of(ctx).worker.notify()  # idle worker threads pick it up now
        return response

    # Any string in options may be a credential (a misspelt key's too): keep them out of logs.
    secrets = [v for v in options.values() if isinstance(v, str)]
    return await respond("run_circuits_on_qpu_or_simulator", work, secrets=secrets)
