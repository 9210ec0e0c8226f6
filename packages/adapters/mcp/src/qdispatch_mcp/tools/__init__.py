"""The tools of the qdispatch MCP server, each registered with its annotations."""

from __future__ import annotations

from qdispatch_mcp.apps import WIDGET_META
from qdispatch_mcp.calls import ContractTool, contract_tool
from qdispatch_mcp.tools import catalog, jobs, runs


def all_tools() -> list[ContractTool]:
    return [
        contract_tool(
            catalog.list_qpus_and_simulators,
            title="List QPUs and simulators",
            read_only=True,
            idempotent=True,
        ),
        contract_tool(
            catalog.get_device_details,
            title="Get a device's details",
            read_only=True,
            idempotent=True,
        ),
        contract_tool(
            catalog.create_new_experiment,
            title="Create a new experiment",
            read_only=False,
            idempotent=True,
        ),
        contract_tool(
            catalog.list_experiments, title="List experiments", read_only=True, idempotent=True
        ),
        contract_tool(
            catalog.get_experiment, title="Get an experiment", read_only=True, idempotent=True
        ),
        contract_tool(
            catalog.submit_circuit_for_analytics,
            title="Store a circuit and analyse it",
            read_only=False,
            idempotent=True,
        ),
        contract_tool(
            catalog.list_circuits_in_experiment,
            title="List the circuits of an experiment",
            read_only=True,
            idempotent=True,
        ),
        contract_tool(
            runs.run_circuits_on_qpu_or_simulator,
            title="Run circuits on a QPU or simulator",
            read_only=False,
        ),
        contract_tool(
            jobs.get_job_results_and_status,
            title="Get a job's results and status",
            read_only=True,
            idempotent=True,
            meta=WIDGET_META,
        ),
        contract_tool(
            jobs.wait_for_job,
            title="Wait for a job",
            read_only=True,
            idempotent=True,
            meta=WIDGET_META,
        ),
        contract_tool(
            jobs.cancel_job,
            title="Cancel a job",
            read_only=False,
            idempotent=True,
            destructive=True,
        ),
        contract_tool(jobs.list_jobs, title="List jobs", read_only=True, idempotent=True),
    ]
