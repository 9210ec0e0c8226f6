"""Clean stop (issue 18): the installed `qdispatch mcp` on stdio ends while its job runs (the
client closes stdin, or sends SIGTERM or SIGINT), or over HTTP on SIGTERM; it exits at once and
its worker hands the job back, so a second worker finishes it long before the job's lease would
have run out. Before, a stopped stdio server kept its leases and the next worker waited for them
to expire (42-48 s instead of ~17 s for a 500-shot job after an Inspector session ended)."""

from __future__ import annotations

import signal
import time

import anyio
import pytest

from qdispatch import App, Settings
from qdispatch_core.usecases import create_user, get_job
from tests.adapters.mcp.raw import open_raw, stopped_within
from tests.adapters.mcp.servers import free_port, http_session, serve_in_subprocess
from tests.app.workers import FAKE, WorkerProcess, wait_until, worker_env
from tests.samples import PARAM_2Q

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

LEASE_S = 300  # what a second worker would wait for without the hand-back
STOP_S = 15  # the server's exit, whatever it was doing


def _stored(app: App, job_id: str):
    with app.services.repository.read() as uow:
        return uow.jobs.get_for_worker(job_id)


@pytest.mark.parametrize("how", ["stdin", "SIGTERM", "SIGINT"])
async def test_a_stopped_stdio_server_hands_its_running_job_back(tmp_path, how):
    env = worker_env(
        tmp_path,
        f"sqlite:///{tmp_path / 'jobs.db'}",
        QDISPATCH_LEASE_SECONDS=str(LEASE_S),
        QDISPATCH_SHARD_SECONDS="0.5",
        QDISPATCH_FAKE_DELAY="0.05",
        QDISPATCH_EXTRA_BACKENDS=FAKE,
    )
    raw = await open_raw(env, tmp_path / "server.log")
    await raw.initialize()
    exp = (await raw.call("create_new_experiment", {"name": "stop"}))["structuredContent"]["id"]
    run = await raw.call(
        "run_circuits_on_qpu_or_simulator",
        {
            "experiment_id": exp,
            "device_id": "dummy_simulator",
            "circuits_qasm": [PARAM_2Q],
            "parameters": [[0.01 * i, 0.2] for i in range(200)],  # ~10 s of shards
        },
    )
    job_id = run["structuredContent"]["job_id"]
    with App(Settings.from_env(env)) as app:
        with anyio.fail_after(120):
            while _stored(app, job_id).progress.done < 10:
                await anyio.sleep(0.05)
        assert not _stored(app, job_id).status.is_final  # the session ends while it runs
        stopped = time.monotonic()
        if how == "stdin":
            assert raw.process.stdin is not None
            await raw.process.stdin.aclose()
        else:
            raw.process.send_signal(getattr(signal, how))
        await stopped_within(raw.process, STOP_S)
        assert raw.process.returncode == 0
        job = _stored(app, job_id)
        assert not job.status.is_final and job.lease_expires_at is None, job.logs[-1]
        assert any("handed back" in line for line in job.logs)
        second = WorkerProcess(env, tmp_path / "worker.log", threads=2)
        try:
            wait_until(lambda: _stored(app, job_id).status.is_final, 150, "the job to end")
        finally:
            second.stop()
        took = time.monotonic() - stopped
        assert took < LEASE_S / 2, took  # the lease never had to run out
        done = get_job(app.services, app.default_user, job_id).job
        assert done.status == "Done", done.error
        assert len(done.results[0]) == 200
        # A clean hand-back is not a crash: it does not count towards giving the job up.
        assert _stored(app, job_id).attempts == 1


async def test_a_stopped_http_server_hands_its_running_job_back(tmp_path):
    home = tmp_path / "home"
    env = {
        "QDISPATCH_LEASE_SECONDS": str(LEASE_S),
        "QDISPATCH_SHARD_SECONDS": "0.5",
        "QDISPATCH_FAKE_DELAY": "0.05",
        "QDISPATCH_EXTRA_BACKENDS": FAKE,
    }
    settings = Settings.from_env({"QDISPATCH_HOME": str(home), **env})
    with App(settings) as app:
        _, key = create_user(app.services, "alice")
    with App(settings) as app:
        with serve_in_subprocess(home, free_port(), tmp_path / "server.log", **env) as url:
            async with http_session(url, key) as client:
                exp = await client.call_tool("create_new_experiment", {"name": "stop"})
                run = await client.call_tool(
                    "run_circuits_on_qpu_or_simulator",
                    {
                        "experiment_id": exp.structured_content["id"],
                        "device_id": "dummy_simulator",
                        "circuits_qasm": [PARAM_2Q],
                        "parameters": [[0.01 * i, 0.2] for i in range(200)],
                    },
                )
                job_id = run.structured_content["job_id"]
            with anyio.fail_after(120):
                while _stored(app, job_id).progress.done < 10:
                    await anyio.sleep(0.05)
            assert not _stored(app, job_id).status.is_final
        # serve_in_subprocess has sent SIGTERM and seen the server exit cleanly.
        job = _stored(app, job_id)
        assert not job.status.is_final and job.lease_expires_at is None, job.logs[-1]
        assert any("handed back" in line for line in job.logs)
        assert job.attempts == 0  # a clean hand-back takes back the claim's count
