"""MCP Tasks on the 2025-11-25 wire (tasks in the core protocol), spoken as raw JSON-RPC to the
installed `qdispatch mcp` over stdio (the SDK's client does not send a `task` field), on the
real default (SQLite and Aer) in a temporary home; and tasks/get and tasks/list of two users
over HTTP through the SDK's client in its 2025-11-25 mode.

A task is a job: it survives the server (a second server on the same database answers for it),
its result is get_job_results_and_status's, and tasks/cancel cancels the job."""

from __future__ import annotations

import math

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from qdispatch_core.testing import FakeBackend
from qdispatch_core.usecases import create_user
from tests.adapters.mcp.conftest import call
from tests.adapters.mcp.e2e import BELL_THETA, XX, ZZ, require_the_real_default
from tests.adapters.mcp.raw import RawStdio, RpcError, open_raw, stopped_within
from tests.adapters.mcp.servers import free_port, serve_in_thread, server_env
from tests.adapters.mcp.tasks_client import get_task, list_tasks
from tests.samples import BELL_QASM2, PARAM_2Q

pytestmark = pytest.mark.anyio

FAKE = "qdispatch_core.testing.backend:from_environment"
STOP_S = 30  # a stopped server exits long before this


def _same_result(a: dict, b: dict) -> bool:
    keep = ("content", "structuredContent", "isError")
    return {k: a.get(k) for k in keep} == {k: b.get(k) for k in keep}


async def _experiment(raw: RawStdio) -> str:
    return (await raw.call("create_new_experiment", {"name": "tasks"}))["structuredContent"]["id"]


async def _stop(raw: RawStdio) -> None:
    assert raw.process.stdin is not None
    await raw.process.stdin.aclose()
    await stopped_within(raw.process, STOP_S)
    assert raw.process.returncode == 0


@pytest.fixture
def home(tmp_path):
    require_the_real_default()
    return tmp_path


@pytest.mark.slow
async def test_the_2025_11_25_task_flow_over_stdio(home):
    raw = await open_raw(server_env(home), home / "server.log")
    try:
        init = await raw.initialize()
        assert init["protocolVersion"] == "2025-11-25"
        assert init["capabilities"]["tasks"] == {
            "list": {},
            "cancel": {},
            "requests": {"tools": {"call": {}}},
        }
        tools = {t["name"]: t for t in (await raw.request("tools/list", {}))["tools"]}
        assert tools["run_circuits_on_qpu_or_simulator"]["execution"] == {"taskSupport": "optional"}
        assert "execution" not in tools["get_job_results_and_status"]
        exp = await _experiment(raw)
        arguments = {
            "experiment_id": exp,
            "circuits_qasm": [BELL_THETA],
            "device_id": "aer_simulator",
            "shots": 500,
            "parameters": [[0.0], [math.pi / 2]],
            "observables": [ZZ, XX],
        }
        created = await raw.call("run_circuits_on_qpu_or_simulator", arguments, task={"ttl": 60000})
        task = created["task"]
        task_id = task["taskId"]
        assert task_id.startswith("job_") and task["status"] == "working"
        assert task["ttl"] is None and task["pollInterval"] > 0  # jobs are kept: no expiry
        assert task_id in created["_meta"]["io.modelcontextprotocol/model-immediate-response"]
        polled = await raw.request("tasks/get", {"taskId": task_id})
        assert polled["taskId"] == task_id and polled["status"] in ("working", "completed")
        # tasks/result waits for the job, then answers as get_job_results_and_status does.
        with anyio.fail_after(120):
            result = await raw.request("tasks/result", {"taskId": task_id})
        assert result["_meta"]["io.modelcontextprotocol/related-task"] == {"taskId": task_id}
        read = await raw.call("get_job_results_and_status", {"job_id": task_id})
        assert _same_result(result, read) and not result.get("isError")
        zz, xx = result["structuredContent"]["results"][0]
        assert zz == pytest.approx([1.0, 1.0], abs=0.15) and xx == pytest.approx([0, 1], abs=0.15)
        final = await raw.request("tasks/get", {"taskId": task_id})
        assert final["status"] == "completed" and final["lastUpdatedAt"] > final["createdAt"]
        # Status notifications come while connected (the first state is the creation's): at
        # least the completion, told within the watcher's longest poll of its end.
        said = [n["params"] for n in await raw.notified("notifications/tasks/status", 10)]
        assert said and all(n["taskId"] == task_id for n in said), raw.notifications
        listed = await raw.request("tasks/list", {})
        assert [t["taskId"] for t in listed["tasks"]] == [task_id]
        with pytest.raises(RpcError) as refused:
            await raw.request("tasks/cancel", {"taskId": task_id})
        assert refused.value.code == -32602 and "already completed" in refused.value.message
        with pytest.raises(RpcError) as unknown:
            await raw.request("tasks/get", {"taskId": "job_0000"})
        assert unknown.value.code == -32602
        # A tool that creates no job cannot be a task (the specification's -32601).
        with pytest.raises(RpcError) as forbidden:
            await raw.call("list_jobs", {}, task={})
        assert forbidden.value.code == -32601
    finally:
        await _stop(raw)


@pytest.mark.slow
async def test_a_task_survives_a_restart_of_the_server(home):
    env = server_env(home)
    first = await open_raw(env, home / "first.log")
    try:
        await first.initialize()
        exp = await _experiment(first)
        created = await first.call(
            "run_circuits_on_qpu_or_simulator",
            {"experiment_id": exp, "circuits_qasm": [BELL_QASM2], "device_id": "aer_simulator"},
            task={},
        )
        task_id = created["task"]["taskId"]
    finally:
        await _stop(first)
    # A new server process, on the same database, never saw the task being created.
    second = await open_raw(env, home / "second.log")
    try:
        await second.initialize()
        assert (await second.request("tasks/get", {"taskId": task_id}))["taskId"] == task_id
        with anyio.fail_after(120):
            result = await second.request("tasks/result", {"taskId": task_id})
        assert result["structuredContent"]["id"] == task_id
        assert result["structuredContent"]["status"] == "Done"
        assert sum(result["structuredContent"]["results"][0].values()) == 1024
    finally:
        await _stop(second)


@pytest.mark.slow
async def test_cancelling_a_long_task_ends_its_job_cancelled(home):
    # The fake provider, plugged into the installed server, takes a second per executable.
    env = server_env(home, QDISPATCH_EXTRA_BACKENDS=FAKE, QDISPATCH_FAKE_DELAY="1")
    raw = await open_raw(env, home / "server.log")
    try:
        await raw.initialize()
        exp = await _experiment(raw)
        sets = [[0.1 * i, 0.3] for i in range(60)]
        created = await raw.call(
            "run_circuits_on_qpu_or_simulator",
            {
                "experiment_id": exp,
                "circuits_qasm": [PARAM_2Q],
                "device_id": "dummy_simulator",
                "parameters": sets,
                "shots": 10,
            },
            task={},
        )
        task_id = created["task"]["taskId"]
        with anyio.fail_after(30):
            while (await raw.call("get_job_results_and_status", {"job_id": task_id}))[
                "structuredContent"
            ]["status"] != "Running":
                await anyio.sleep(0.1)
        cancelled = await raw.request("tasks/cancel", {"taskId": task_id})
        # 2025-11-25: the answer is the task, cancelled, and it stays so.
        assert cancelled["taskId"] == task_id and cancelled["status"] == "cancelled"
        with anyio.fail_after(30):
            result = await raw.request("tasks/result", {"taskId": task_id})
        assert result["isError"] is True and result["structuredContent"]["status"] == "Cancelled"
        assert (await raw.request("tasks/get", {"taskId": task_id}))["status"] == "cancelled"
    finally:
        await _stop(raw)


@pytest.fixture
def two_users(make_app):
    app = make_app(FakeBackend())
    _, alice = create_user(app.services, "alice")
    _, bob = create_user(app.services, "bob")
    with serve_in_thread(app, free_port()) as url:
        yield url, alice, bob
    app.close()


def _legacy(url: str, key: str) -> tuple[httpx2.AsyncClient, Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60)
    return http, Client(streamable_http_client(url, http_client=http), mode="legacy")


async def test_tasks_are_listed_and_read_for_their_owner_only(two_users):
    url, alice, bob = two_users
    http, client = _legacy(url, alice)
    async with http, client:
        exp = (await call(client, "create_new_experiment", name="mine"))["id"]
        run = await call(
            client,
            "run_circuits_on_qpu_or_simulator",
            experiment_id=exp,
            circuits_qasm=[BELL_QASM2],
            device_id="dummy_simulator",
            shots=10,
        )
        job_id = run["job_id"]
        assert [t["taskId"] for t in (await list_tasks(client))["tasks"]] == [job_id]
        assert (await get_task(client, job_id))["taskId"] == job_id
    http, client = _legacy(url, bob)
    async with http, client:
        assert (await list_tasks(client))["tasks"] == []
        with pytest.raises(MCPError) as raised:
            await get_task(client, job_id)
        assert raised.value.error.code == -32602


async def test_tasks_list_pages_with_an_opaque_cursor(make_app):
    from qdispatch_mcp import build_server
    from qdispatch_mcp.tasks.jobs import PAGE

    app = make_app(FakeBackend())
    async with Client(build_server(lambda: app), mode="legacy") as client:
        exp = (await call(client, "create_new_experiment", name="many"))["id"]
        made = []
        for i in range(PAGE + 3):
            run = await call(
                client,
                "run_circuits_on_qpu_or_simulator",
                experiment_id=exp,
                circuits_qasm=[BELL_QASM2],
                device_id="dummy_simulator",
                shots=1 + i,
                dry_run=True,
            )
            made.append(run["job_id"])
        first = await list_tasks(client)
        assert len(first["tasks"]) == PAGE and first["nextCursor"]
        second = await list_tasks(client, first["nextCursor"])
        assert len(second["tasks"]) == 3 and second.get("nextCursor") is None
        listed = [t["taskId"] for t in first["tasks"] + second["tasks"]]
        assert sorted(listed) == sorted(made) and len(set(listed)) == len(made)
        with pytest.raises(MCPError) as raised:
            await list_tasks(client, "not-a-cursor")
        assert raised.value.error.code == -32602
