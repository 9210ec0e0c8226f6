"""H2's give-up rule: a job whose worker dies with it every time (here a backend that kills
the process that submits it) is claimed at most 1 + QDISPATCH_JOB_CRASH_RETRIES times, then
ends Error with a message saying so, instead of taking down every next worker."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from tests.adapters.mcp.servers import qdispatch_command
from tests.security.conftest import CRASHING, SERVER_ADDRESS_SPACE, address_space_limit, home_env

pytestmark = pytest.mark.slow

LEASE_S = 1
RETRIES = 2
BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\nmeasure q -> c;\n'


def run(env, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [qdispatch_command(), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=address_space_limit(SERVER_ADDRESS_SPACE),
    )


def test_a_job_that_kills_every_worker_ends_error_after_the_retries(tmp_path):
    home = tmp_path / "home"
    env = home_env(
        home,
        QDISPATCH_EXTRA_BACKENDS=CRASHING,
        QDISPATCH_LEASE_SECONDS=str(LEASE_S),
        QDISPATCH_JOB_CRASH_RETRIES=str(RETRIES),
    )
    qasm = tmp_path / "bell.qasm"
    qasm.write_text(BELL)
    submitted = run(env, "run", str(qasm), "--device", "crash_simulator", "--json")
    assert submitted.returncode == 0, submitted.stderr
    job_id = json.loads(submitted.stdout)["job_id"]

    for attempt in range(1, RETRIES + 2):  # the first claim, then the retries: each dies
        time.sleep(LEASE_S + 0.5)  # the dead worker's lease runs out
        worker = run(env, "worker", "--threads", "1", "--idle-exit", "2")
        assert worker.returncode == -signal.SIGKILL, (attempt, worker.stderr[-2000:])

    time.sleep(LEASE_S + 0.5)
    worker = run(env, "worker", "--threads", "1", "--idle-exit", "2")
    assert worker.returncode == 0, worker.stderr[-2000:]  # this one gave up instead of dying
    assert f"job {job_id}: gave up" in worker.stderr

    shown = run(env, "jobs", "show", job_id, "--json")
    job = json.loads(shown.stdout)
    assert job["status"] == "Error"
    assert job["error"].startswith(f"gave up: the job was claimed {RETRIES + 1} times before")
    assert "QDISPATCH_JOB_CRASH_RETRIES" in job["error"]
