"""End to end over stdio: the SDK's client starts the server as a subprocess on a fresh home
(SQLite + Aer, the default; the fake provider added for a slow device and one that takes
credentials), as an MCP client application would."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters, stdio_client

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
    require_the_real_default,
    run_with_the_token,
)
from tests.adapters.mcp.servers import server_env
from tests.samples import BELL_QASM2

require_the_real_default()
pytestmark = [pytest.mark.anyio, pytest.mark.slow]


def _cli() -> list[str] | None:
    """The installed `qdispatch mcp`, once the CLI provides it."""
    exe = shutil.which("qdispatch", path=str(Path(sys.executable).parent))
    if exe is None:
        return None
    probe = subprocess.run([exe, "mcp", "--help"], capture_output=True, timeout=60)
    return [exe, "mcp"] if probe.returncode == 0 else None


MODULE = [sys.executable, "-m", "qdispatch_mcp"]


@pytest.fixture(scope="module")
def command() -> list[str]:
    """What an MCP client configuration runs: `qdispatch mcp`, which execs the module; the
    module itself until the CLI provides the command."""
    return _cli() or MODULE


async def test_the_module_and_the_command_both_serve_over_stdio(command, tmp_path):
    for argv in {tuple(MODULE), tuple(command)}:
        params = StdioServerParameters(
            command=argv[0], args=list(argv[1:]), env=server_env(tmp_path)
        )
        async with Client(params) as client:
            assert len((await client.list_tools()).tools) == 12
            assert (await call(client, "list_experiments"))["experiments"] == []


async def test_an_agent_session_over_stdio(command, tmp_path):
    home, events = tmp_path / "home", tmp_path / "events"
    env = server_env(
        home,
        QDISPATCH_EXTRA_BACKENDS=FAKE,
        QDISPATCH_FAKE_DELAY=str(SLOW_DELAY_S),
        # Shards of four executables: progress moves while the slow sweep runs.
        QDISPATCH_SHARD_SECONDS=str(4 * SLOW_DELAY_S),
        QDISPATCH_FAKE_RECORD_DIR=str(events),
        QDISPATCH_DEFAULT_CREDITS=CREDITS,
    )
    params = StdioServerParameters(command=command[0], args=command[1:], env=env)
    stderr = tmp_path / "server.stderr"
    said: list[str] = []
    with stderr.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            assert {"run_circuits_on_qpu_or_simulator", "wait_for_job"} <= tools
            devices = await call(client, "list_qpus_and_simulators")
            assert "aer_simulator" in [d["id"] for d in devices["devices"]]
            exp = (await call(client, "create_new_experiment", name="bell"))["id"]
            stored = await call(
                client, "submit_circuit_for_analytics", experiment_id=exp, circuit_qasm=BELL_THETA
            )
            assert stored["analytics"]["parameter_names"] == ["theta"]
            assert stored["analytics"]["gates_2q"] == 1

            sweep = await call(
                client,
                "run_circuits_on_qpu_or_simulator",
                experiment_id=exp,
                circuit_ids=[stored["id"]],
                device_id="aer_simulator",
                shots=4000,
                observables=[ZZ, XX],
                parameters=ANGLES,
                options={"seed_simulator": 11},
            )
            counts = await call(
                client,
                "run_circuits_on_qpu_or_simulator",
                experiment_id=exp,
                circuits_qasm=[BELL_QASM2],
                device_id="aer_simulator",
                shots=1000,
            )
            await check_progress_while_waiting(client, exp, stored["id"])
            check_bell_sweep(await call(client, "wait_for_job", job_id=sweep["job_id"]))
            job = await call(client, "wait_for_job", job_id=counts["job_id"])
            assert job["status"] == "Done"
            (histogram,) = job["results"]
            assert set(histogram) <= {"00", "11"} and sum(histogram.values()) == 1000

            # A credential the device does not take is refused by name, never echoed.
            text = await refused(
                client,
                "run_circuits_on_qpu_or_simulator",
                experiment_id=exp,
                circuits_qasm=[BELL_QASM2],
                device_id="aer_simulator",
                options={"ibm_quantum_token": SECRET},
            )
            assert text.startswith("400 options['ibm_quantum_token']")
            for tool, arguments in [
                ("get_job_results_and_status", {"job_id": sweep["job_id"]}),
                ("list_jobs", {}),
                ("get_job_results_and_status", {"job_id": "job_missing"}),
            ]:
                said.append(everything_said(await client.call_tool(tool, arguments)))
            assert said[-1].count("404 job_id") == 1

            # One the device takes is used by the job, and never shown, logged or stored.
            used = await run_with_the_token(said, client, exp)
            check_the_token_was_used(events, used["id"])
            check_the_token_is_nowhere(said, stderr, home / "data", used["id"])
    assert all(SECRET not in text and TOKEN not in text for text in [*said, stderr.read_text()])


# 40 parameter sets at 50 ms each on dummy_simulator: the job runs for 2 s at least, so
# wait_for_job finds it unfinished and has progress to report.
SLOW_DELAY_S = 0.05
SLOW_SETS = 40
WAIT_S = 60
EXECUTABLES_DONE = re.compile(r"(\d+)/(\d+) executables done")


async def check_progress_while_waiting(client: Client, exp: str, circuit_id: str) -> None:
    """wait_for_job's notifications: the progress value (seconds waited) never goes back, the
    total is the wait's limit, and the message follows the job's executables done/total."""
    run = await call(
        client,
        "run_circuits_on_qpu_or_simulator",
        experiment_id=exp,
        circuit_ids=[circuit_id],
        device_id="dummy_simulator",
        shots=100,
        parameters=[[i / 10] for i in range(SLOW_SETS)],
    )
    notes: list[tuple[float, float | None, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        notes.append((value, total, message))

    waited = await client.call_tool(
        "wait_for_job",
        {"job_id": run["job_id"], "timeout_s": WAIT_S},
        progress_callback=on_progress,
    )
    job = waited.structured_content
    assert job["status"] == "Done" and job["progress"]["total"] == SLOW_SETS, job
    assert notes, "wait_for_job sent no progress notification"
    values = [value for value, _, _ in notes]
    assert values == sorted(values), values
    assert {total for _, total, _ in notes} == {WAIT_S}
    steps = [EXECUTABLES_DONE.search(message or "") for _, _, message in notes]
    assert all(steps), [message for _, _, message in notes]
    done = [int(step[1]) for step in steps]
    assert {int(step[2]) for step in steps} == {SLOW_SETS}, notes
    assert done == sorted(done) and any(0 < d < SLOW_SETS for d in done), done
