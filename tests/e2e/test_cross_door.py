"""One store behind three doors: a job submitted through one door is the same job through the
others. The library (in this process), the installed `qdispatch` command (a subprocess) and an
MCP client over stdio (the SDK's client starting `python -m qdispatch_mcp`) share one
QDISPATCH_HOME (SQLite + Aer)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from mcp import Client as McpClient
from mcp import StdioServerParameters

from qdispatch import Client
from tests.adapters.mcp.conftest import call
from tests.adapters.mcp.servers import qdispatch_command, server_env
from tests.samples import BELL_QASM2

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    for name in [n for n in os.environ if n.startswith("QDISPATCH_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("QDISPATCH_HOME", str(home))
    monkeypatch.setenv("QDISPATCH_AUTOSTART_WORKER", "0")
    return home


def cli_json(home, *args: str) -> dict:
    done = subprocess.run(
        [qdispatch_command(), *args, "--json"],
        env=server_env(home),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return json.loads(done.stdout)


async def test_a_job_is_the_same_job_through_every_door(home):
    with Client() as library:
        handle = library.run(BELL_QASM2, "aer_simulator", shots=500, options={"seed_simulator": 7})
        by_library = handle.wait(timeout=180)
    assert by_library.status == "Done"

    by_cli = cli_json(home, "jobs", "show", handle.id)
    assert by_cli["status"] == "Done" and by_cli["results"] == by_library.results

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "qdispatch_mcp"], env=server_env(home)
    )
    async with McpClient(params) as mcp:
        by_mcp = await call(mcp, "get_job_results_and_status", job_id=handle.id)
        assert by_mcp["status"] == "Done" and by_mcp["results"] == by_library.results
        listed = (await call(mcp, "list_jobs"))["jobs"]
        assert [j["id"] for j in listed] == [handle.id]
        # and the other way: a job submitted over MCP (run by the server's own worker)
        submitted = await call(
            mcp,
            "run_circuits_on_qpu_or_simulator",
            experiment_id=by_library.experiment_id,
            circuits_qasm=[BELL_QASM2],
            device_id="aer_simulator",
            shots=200,
        )
        for _ in range(10):  # wait_for_job waits at most 60 s per call
            waited = await call(mcp, "wait_for_job", job_id=submitted["job_id"])
            if waited["status"] == "Done":
                break
    with Client(worker=False) as library:
        job = library.job(submitted["job_id"]).job()
    assert job.status == "Done" and sum(job.results[0].values()) == 200
    assert job.results == waited["results"]
    assert {j["id"] for j in cli_json(home, "jobs", "list")} == {handle.id, job.id}
