"""L7: SIGTERM stops the HTTP server promptly however many sessions it holds: open GET event
streams, waits on jobs and slow tool calls still running in threads. Before, the server waited
for every call in flight (a 30 s call kept it alive 30 s and more)."""

from __future__ import annotations

import contextlib
import threading
import time

import anyio
import httpx2
import pytest

from qdispatch import App, Settings
from qdispatch_core.usecases import create_experiment, submit_run
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from tests.security.conftest import SLOW, create_users, running_server
from tests.security.test_results import session

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SESSIONS = 60
# The finding: more than 8 s. The grace for open streams is 3 s by default.
PROMPT_S = 8.0
BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\nmeasure q -> c;\n'
ONE = "OPENQASM 2.0;\nqreg q[1];\ncreg c[1];\nmeasure q -> c;\n"


def held_job(home, key: str) -> str:
    """A job another (absent) worker holds for an hour: the server's worker leaves it alone,
    so wait_for_job calls on it stay in flight."""
    with App(Settings.from_env({"QDISPATCH_HOME": str(home)})) as app:
        user = app.user_for_key(key)
        exp = create_experiment(app.services, user, "held")
        request = {"experiment_id": exp.id, "circuits_qasm": [BELL], "device_id": "aer_simulator"}
        job_id = submit_run(app.services, user, request).job_id
        runner = JobRunner(app.services, WorkerConfig("elsewhere:1:x/0", lease_seconds=3600))
        claimed = runner.claim_next()
        assert claimed is not None and claimed.id == job_id
        return job_id


async def test_sigterm_with_many_sessions_and_calls_in_flight_stops_promptly(tmp_path):
    home = tmp_path / "home"
    keys = create_users(home)
    job_id = held_job(home, keys["bob"])
    env = {
        "QDISPATCH_EXTRA_BACKENDS": SLOW,
        "QDISPATCH_SLOW_SECONDS": "60",
        "QDISPATCH_MCP_SESSIONS_PER_USER": str(SESSIONS),
        "QDISPATCH_MCP_CALLS_PER_USER": str(SESSIONS),
    }
    stopped: list[float] = []
    with running_server(home, keys, **env) as server:
        try:
            async with contextlib.AsyncExitStack() as stack:
                clients = [
                    await stack.enter_async_context(session(server.url, keys["bob"], "legacy"))
                    for _ in range(SESSIONS)
                ]  # each holds a GET event stream open
                exp = await clients[0].call_tool("create_new_experiment", {"name": "slow"})
                exp_id = exp.structured_content["id"]
                slow = {
                    "experiment_id": exp_id,
                    "circuits_qasm": [ONE],
                    "device_id": "slow_simulator",
                    "shots": 1,
                }

                def stop_soon() -> None:
                    time.sleep(4)  # every call below is in flight by then
                    stopped.append(server.stop(timeout=60))

                stopper = threading.Thread(target=stop_soon)
                stopper.start()
                with contextlib.suppress(BaseException):  # the calls fail as the server goes
                    async with anyio.create_task_group() as group:
                        for i, client in enumerate(clients):
                            if i % 2:
                                group.start_soon(
                                    client.call_tool, "run_circuits_on_qpu_or_simulator", slow
                                )
                            else:
                                args = {"job_id": job_id, "timeout_s": 60}
                                group.start_soon(client.call_tool, "wait_for_job", args)
                await anyio.to_thread.run_sync(stopper.join)
        except* (httpx2.ConnectError, httpx2.RemoteProtocolError):
            # The clients close their sessions (a DELETE, a cancel notification) after the
            # server has gone: under load some of those requests find no server. Expected;
            # anything else still fails the test.
            pass
    print(f"SIGTERM with {SESSIONS} sessions and their calls in flight: exit in {stopped[0]:.2f} s")
    assert stopped[0] < PROMPT_S
    said = server.said()
    assert "Application shutdown complete" in said
    assert server.process.returncode in (0, -15)
