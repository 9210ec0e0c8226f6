"""Seed shapes (issue 18): every tool's structured output validates against the output schema
it declares, and a tool that returns one entity returns it flat, its fields at the top level
beside `context` (no `job` / `experiment` / `circuit` / `device` wrapper), as the seed's tools
do. Listings are their items and a `context`."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from qdispatch_core.schemas import CircuitView, DeviceView, ExperimentView, JobView
from tests.adapters.mcp.conftest import call
from tests.adapters.mcp.test_catalog_tools import TOOLS
from tests.samples import BELL_QASM2

pytestmark = pytest.mark.anyio

WRAPPERS = {"job", "experiment", "circuit", "device"}


async def outputs(client) -> dict[str, dict]:
    """One successful call of every tool, by name."""
    out: dict[str, dict] = {}
    out["list_qpus_and_simulators"] = await call(client, "list_qpus_and_simulators")
    out["get_device_details"] = await call(client, "get_device_details", device_id="dummy_qpu")
    out["create_new_experiment"] = exp = await call(client, "create_new_experiment", name="s")
    out["list_experiments"] = await call(client, "list_experiments")
    out["get_experiment"] = await call(client, "get_experiment", experiment_id=exp["id"])
    out["submit_circuit_for_analytics"] = circuit = await call(
        client, "submit_circuit_for_analytics", experiment_id=exp["id"], circuit_qasm=BELL_QASM2
    )
    out["list_circuits_in_experiment"] = await call(
        client, "list_circuits_in_experiment", experiment_id=exp["id"]
    )
    out["run_circuits_on_qpu_or_simulator"] = run = await call(
        client,
        "run_circuits_on_qpu_or_simulator",
        experiment_id=exp["id"],
        circuit_ids=[circuit["id"]],
        device_id="dummy_simulator",
        shots=10,
    )
    job_id = run["job_id"]
    out["wait_for_job"] = await call(client, "wait_for_job", job_id=job_id)
    out["get_job_results_and_status"] = await call(
        client, "get_job_results_and_status", job_id=job_id
    )
    out["list_jobs"] = await call(client, "list_jobs")
    out["cancel_job"] = await call(client, "cancel_job", job_id=job_id)  # a final job: a no-op
    return out


async def test_every_output_validates_against_its_schema_and_entities_are_flat(client):
    schemas = {t.name: t.output_schema for t in (await client.list_tools()).tools}
    out = await outputs(client)
    assert set(out) == TOOLS  # every tool was called
    for name, structured in out.items():
        errors = list(Draft202012Validator(schemas[name]).iter_errors(structured))
        assert errors == [], (name, errors[0].message if errors else None)
        assert isinstance(structured["context"], str) and structured["context"], name
        assert not WRAPPERS & set(structured), (name, sorted(structured))

    # The entity's own fields at the top level, beside context: all of them.
    for name in ("create_new_experiment", "get_experiment"):
        assert set(ExperimentView.model_fields) <= set(out[name]), name
    assert set(CircuitView.model_fields) <= set(out["submit_circuit_for_analytics"])
    for name in ("wait_for_job", "get_job_results_and_status", "cancel_job"):
        job = out[name]
        assert set(JobView.model_fields) <= set(job), name
        assert job["id"] == out["run_circuits_on_qpu_or_simulator"]["job_id"]
        assert job["status"] == "Done" and job["results"] == [job["results"][0]]
    device = out["get_device_details"]
    assert set(DeviceView.model_fields) <= set(device)
    assert device["id"] == "dummy_qpu" and device["qubits"] == 5
    # Listings: items and a context.
    assert out["list_qpus_and_simulators"]["devices"][0]["id"] == "dummy_simulator"
    assert [e["id"] for e in out["list_experiments"]["experiments"]] == [
        out["create_new_experiment"]["id"]
    ]
    circuits = out["list_circuits_in_experiment"]["circuits"]
    assert circuits[0]["id"] == out["submit_circuit_for_analytics"]["id"]
    assert out["list_jobs"]["jobs"][0]["id"] == out["run_circuits_on_qpu_or_simulator"]["job_id"]
