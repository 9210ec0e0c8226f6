"""End to end over streamable HTTP on loopback: `qdispatch mcp --transport http` in a
subprocess on a temporary SQLite database (Aer, plus the fake provider for a device that takes
credentials), two users with their own API keys created beforehand on the same database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx2
import pytest

from qdispatch import App, Settings
from qdispatch_core.usecases import create_user
from tests.adapters.mcp.conftest import call, everything_said, refused
from tests.adapters.mcp.e2e import (
    ANGLES,
    BELL_THETA,
    CREDITS,
    FAKE,
    SECRET,
    TOKEN,
    XX,
    ZZ,
    check_bell_sweep,
    check_the_token_is_nowhere,
    check_the_token_was_used,
    recorded,
    require_the_real_default,
    run_with_the_token,
)
from tests.adapters.mcp.servers import free_port, http_session, serve_in_subprocess
from tests.samples import BELL_QASM2

require_the_real_default()
pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    events = tmp_path_factory.mktemp("events")
    with App(Settings.from_env({"QDISPATCH_HOME": str(home)})) as app:
        keys = {name: create_user(app.services, name, CREDITS)[1] for name in ("alice", "bob")}
    log = home / "server.log"
    env = {"QDISPATCH_EXTRA_BACKENDS": FAKE, "QDISPATCH_FAKE_RECORD_DIR": str(events)}
    with serve_in_subprocess(home, free_port(), log, **env) as url:
        yield Server(url, keys, log, home / "data", events)
    assert SECRET.encode() not in log.read_bytes() and TOKEN.encode() not in log.read_bytes()


@dataclass(frozen=True)
class Server:
    url: str
    keys: dict[str, str]
    log: Path
    data: Path
    events: Path


async def experiment(client, name="e") -> str:
    return (await call(client, "create_new_experiment", name=name))["id"]


async def test_a_missing_or_wrong_key_is_refused(server):
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    async with httpx2.AsyncClient() as http:
        for headers in ({}, {"Authorization": "Bearer qdk_not_a_key"}):
            response = await http.post(server.url, json=request, headers=headers)
            assert response.status_code == 401
            assert response.json()["message"].startswith("401 ")


async def test_user_b_cannot_read_user_a_s_job(server):
    async with http_session(server.url, server.keys["alice"]) as alice:
        exp = await experiment(alice, "private")
        run = await call(
            alice,
            "run_circuits_on_qpu_or_simulator",
            experiment_id=exp,
            circuits_qasm=[BELL_THETA],
            device_id="aer_simulator",
            shots=4000,
            observables=[ZZ, XX],
            parameters=ANGLES,
            options={"seed_simulator": 5},
        )
        check_bell_sweep(await call(alice, "wait_for_job", job_id=run["job_id"]))
    async with http_session(server.url, server.keys["bob"]) as bob:
        text = await refused(bob, "get_job_results_and_status", job_id=run["job_id"])
        assert text.startswith("404 job_id")
        assert (await refused(bob, "get_experiment", experiment_id=exp)).startswith("404 ")
        assert run["job_id"] not in [j["id"] for j in (await call(bob, "list_jobs"))["jobs"]]


async def test_a_planted_credential_is_refused_by_name_and_never_repeated(server):
    async with http_session(server.url, server.keys["bob"]) as bob:
        exp = await experiment(bob)
        result = await bob.call_tool(
            "run_circuits_on_qpu_or_simulator",
            {
                "experiment_id": exp,
                "circuits_qasm": [BELL_QASM2],
                "device_id": "aer_simulator",
                "options": {"aws_secret_access_key": SECRET},
            },
        )
    assert result.is_error and "aws_secret_access_key" in result.content[0].text
    assert SECRET not in everything_said(result)  # and not in the log: see the fixture


async def test_a_credential_a_job_uses_is_never_repeated_logged_or_stored(server):
    said: list[str] = []
    async with http_session(server.url, server.keys["bob"]) as bob:
        exp = (await recorded(said, bob, "create_new_experiment", name="qpu"))["id"]
        job = await run_with_the_token(said, bob, exp)
    check_the_token_was_used(server.events, job["id"])
    check_the_token_is_nowhere(said, server.log, server.data, job["id"])


async def test_fifty_concurrent_runs_from_several_clients_all_end_done(server):
    job_ids: dict[str, list[str]] = {"alice": [], "bob": []}

    async def one_client(user: str, index: int) -> None:
        async with http_session(server.url, server.keys[user]) as client:
            exp = await experiment(client, f"load-{index}")

            async def submit(shots: int) -> None:
                run = await call(
                    client,
                    "run_circuits_on_qpu_or_simulator",
                    experiment_id=exp,
                    circuits_qasm=[BELL_QASM2],
                    device_id="aer_simulator",
                    shots=shots,
                )
                job_ids[user].append(run["job_id"])

            async with anyio.create_task_group() as group:
                for n in range(10):
                    group.start_soon(submit, 100 + n)

    async with anyio.create_task_group() as group:
        for index in range(5):
            group.start_soon(one_client, ("alice", "bob")[index % 2], index)
    assert sum(len(ids) for ids in job_ids.values()) == 50

    for user, ids in job_ids.items():
        async with http_session(server.url, server.keys[user]) as client:
            statuses: dict[str, str] = {}
            async with anyio.create_task_group() as group:
                for job_id in ids:
                    group.start_soon(wait_until_done, client, job_id, statuses)
            assert set(statuses.values()) == {"Done"} and len(statuses) == len(set(ids))
            listed = await call(client, "list_jobs", limit=1000)
            assert set(ids) <= {j["id"] for j in listed["jobs"]}


async def wait_until_done(client, job_id: str, statuses: dict[str, str]) -> None:
    job = await call(client, "wait_for_job", job_id=job_id, timeout_s=60)
    statuses[job_id] = job["status"]
    assert sum(job["results"][0].values()) == job["shots"]
