"""MCP Tasks backed by the job store, on the 2026-07-28 wire: the `io.modelcontextprotocol/tasks`
extension, driven by the SDK's client through its extension framework (tasks_client.py).

A client that declares the extension gets its run as a task whose id is the job id; tasks/get
follows the job and inlines the finished result, which is what get_job_results_and_status
returns; tasks/cancel cancels the job; another user's task does not exist. A client that does
not declare it gets today's result."""

from __future__ import annotations

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from qdispatch_core.testing import FakeBackend
from qdispatch_core.usecases import create_user
from qdispatch_mcp import build_server
from tests.adapters.mcp.conftest import call
from tests.adapters.mcp.servers import free_port, serve_in_thread
from tests.adapters.mcp.tasks_client import (
    CreatedTask,
    TasksClient,
    cancel_task,
    get_task,
    update_task,
)
from tests.samples import BELL_QASM2, PARAM_2Q

pytestmark = pytest.mark.anyio

POLL_S = 0.05  # the tests poll faster than the pollIntervalMs a real client would honour


async def _experiment(client: Client) -> str:
    return (await call(client, "create_new_experiment", name="tasks"))["id"]


async def _create(client: Client, experiment_id: str, **request) -> CreatedTask:
    arguments = {
        "experiment_id": experiment_id,
        "circuits_qasm": [BELL_QASM2],
        "device_id": "dummy_simulator",
        "shots": 50,
        **request,
    }
    created = await client.session.call_tool(
        "run_circuits_on_qpu_or_simulator", arguments, allow_claimed=True
    )
    assert isinstance(created, CreatedTask), created
    return created


async def _until(client: Client, task_id: str, statuses: set[str], seconds: float = 30) -> dict:
    with anyio.fail_after(seconds):
        while (task := await get_task(client, task_id))["status"] not in statuses:
            assert task["status"] == "working", task
            await anyio.sleep(POLL_S)
    return task


def _as_result(dumped: dict) -> dict:
    return {k: v for k, v in dumped.items() if k in ("content", "structuredContent", "isError")}


@pytest.fixture
async def tasks_client(app):
    async with Client(build_server(lambda: app), extensions=[TasksClient()]) as client:
        yield client


async def test_a_run_becomes_a_task_whose_result_is_the_finished_job(tasks_client):
    exp = await _experiment(tasks_client)
    created = await _create(tasks_client, exp)
    wire = created.model_dump(by_alias=True, mode="json")
    # The task is the job as stored when the call returns: a fake job may already be Done by
    # then (the worker is told at once), so `completed` is as right as `working`.
    assert created.task_id.startswith("job_") and created.status in ("working", "completed")
    assert wire["resultType"] == "task" and wire["ttlMs"] is None and wire["pollIntervalMs"] > 0
    assert wire["createdAt"].endswith("Z") and wire["lastUpdatedAt"] >= wire["createdAt"]
    task = await _until(tasks_client, created.task_id, {"completed"})
    assert task["resultType"] == "complete" and task["statusMessage"].startswith("Done")
    job = await tasks_client.call_tool("get_job_results_and_status", {"job_id": created.task_id})
    read = _as_result(job.model_dump(by_alias=True, mode="json", exclude_none=True))
    assert _as_result(task["result"]) == read
    assert task["result"]["structuredContent"]["status"] == "Done"
    assert sum(task["result"]["structuredContent"]["results"][0].values()) == 50


async def test_a_client_that_does_not_ask_for_tasks_gets_today_s_answer(client):
    exp = await _experiment(client)
    run = await call(
        client,
        "run_circuits_on_qpu_or_simulator",
        experiment_id=exp,
        circuits_qasm=[BELL_QASM2],
        device_id="dummy_simulator",
        shots=10,
    )
    assert run["job_id"].startswith("job_") and "resultType" not in run


async def test_a_refused_run_is_the_tool_error_it_always_was_and_no_task(tasks_client):
    exp = await _experiment(tasks_client)
    refused = await tasks_client.session.call_tool(
        "run_circuits_on_qpu_or_simulator",
        {
            "experiment_id": exp,
            "circuits_qasm": [BELL_QASM2],
            "device_id": "dummy_simulator",
            "shots": 0,
        },
        allow_claimed=True,
    )
    assert refused.is_error and refused.content[0].text.startswith("400 shots")
    assert (await call(tasks_client, "list_jobs"))["jobs"] == []


async def test_a_failed_job_is_a_completed_task_with_a_tool_error(make_app):
    # The extension keeps `failed` for JSON-RPC errors: a job that ended Error is a completed
    # task whose tool result says so.
    app = make_app(FakeBackend(fail_message="device offline"), default_credits="10")
    async with Client(build_server(lambda: app), extensions=[TasksClient()]) as client:
        created = await _create(
            client, await _experiment(client), device_id="dummy_qpu", options={"fake_token": "t"}
        )
        task = await _until(client, created.task_id, {"completed"})
        assert task["result"]["isError"] is True
        assert task["result"]["structuredContent"]["status"] == "Error"
        assert "device offline" in task["statusMessage"]


async def test_cancelling_a_task_cancels_its_job(make_app):
    app = make_app(FakeBackend(delay=1.0))
    async with Client(build_server(lambda: app), extensions=[TasksClient()]) as client:
        exp = await _experiment(client)
        sets = [[0.1 * i, 0.2] for i in range(30)]  # 30 executables, a second each
        created = await _create(client, exp, circuits_qasm=[PARAM_2Q], parameters=sets)
        await _until(client, created.task_id, {"working"})
        acknowledged = await cancel_task(client, created.task_id)
        assert acknowledged == {"_meta": acknowledged.get("_meta"), "resultType": "complete"}
        task = await _until(client, created.task_id, {"cancelled"}, seconds=20)
        assert "result" not in task
        job = await call(client, "get_job_results_and_status", job_id=created.task_id)
        assert job["status"] == "Cancelled"


async def test_unknown_tasks_are_invalid_params_and_updates_are_acknowledged(tasks_client):
    with pytest.raises(MCPError) as raised:
        await get_task(tasks_client, "job_0000")
    assert raised.value.error.code == -32602
    assert "Task not found" in raised.value.error.message
    with pytest.raises(MCPError):
        await cancel_task(tasks_client, "job_0000")
    created = await _create(tasks_client, await _experiment(tasks_client))
    # qdispatch never asks for input: responses are acknowledged and ignored.
    assert (await update_task(tasks_client, created.task_id))["resultType"] == "complete"


@pytest.fixture
def two_users(app):
    _, alice = create_user(app.services, "alice")
    _, bob = create_user(app.services, "bob")
    with serve_in_thread(app, free_port()) as url:
        yield url, alice, bob


async def test_another_user_s_task_does_not_exist(two_users):
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    url, alice, bob = two_users

    def session(key: str):
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60)
        return http, Client(
            streamable_http_client(url, http_client=http), extensions=[TasksClient()]
        )

    http_a, client_a = session(alice)
    async with http_a, client_a:
        created = await _create(client_a, await _experiment(client_a))
        await _until(client_a, created.task_id, {"completed"})
    http_b, client_b = session(bob)
    async with http_b, client_b:
        for ask in (get_task, cancel_task):
            with pytest.raises(MCPError) as raised:
                await ask(client_b, created.task_id)
            assert raised.value.error.code == -32602
    http_a, client_a = session(alice)
    async with http_a, client_a:  # still Alice's, and untouched
        assert (await get_task(client_a, created.task_id))["status"] == "completed"
