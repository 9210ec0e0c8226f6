"""Warm start (issue 18): the server imports what the first submission needs while it starts,
so the first `run_circuits_on_qpu_or_simulator` reads its circuit and resolves the Aer simulator
without importing anything on the request path; and a submission to another provider's device
never waits on a provider SDK it does not need. Measured in a fresh interpreter (probe), since
this test process has imported everything already; the figure itself is the benchmark's
(`mcp_first_submit`)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import anyio
import pytest
from mcp import Client

from qdispatch_mcp import build_server, warm
from tests.adapters.mcp.conftest import call
from tests.adapters.mcp.e2e import require_the_real_default
from tests.adapters.mcp.servers import server_env
from tests.samples import BELL_QASM2

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]


def probe(home: Path, device: str) -> dict:
    env = server_env(home, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-m", "tests.adapters.mcp.warm_probe", device],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_first_submission_imports_nothing_on_the_request_path(tmp_path):
    require_the_real_default()
    seen = probe(tmp_path, "aer_simulator")
    assert seen["warmed"] and not seen["error"], seen["text"]
    assert seen["imported"] == [], seen["imported"]  # Qiskit and Aer were ready
    assert seen["seconds"] < 30  # generous: the figure is the benchmark's
    print(f"first submission after the warm-up: {seen['seconds'] * 1000:.0f} ms")


def test_a_submission_to_braket_imports_no_other_provider(tmp_path):
    require_the_real_default()
    pytest.importorskip("qdispatch_braket", reason="the Braket provider is not installed")
    seen = probe(tmp_path, "braket_local_sv")
    assert not seen["error"], seen["text"]
    others = [m for m in seen["imported"] if m.split(".")[0] in ("qiskit_ibm_runtime", "cirq")]
    assert others == [], others
    # Only what Braket itself needs: its own provider and SDK, nothing of Aer's.
    assert not [m for m in seen["imported"] if m.startswith("qdispatch_aer")]


@pytest.mark.anyio
async def test_initialize_and_the_tools_never_wait_for_the_warm_up(make_app, monkeypatch):
    """The lifespan only starts the warm-up: with the warm-up held, a client still connects,
    calls tools and submits; the in-process worker starts once the warm-up is over."""
    began, release, over = threading.Event(), threading.Event(), threading.Event()

    def held_warm_up(app) -> None:
        began.set()
        release.wait(120)
        over.set()

    monkeypatch.setattr(warm, "warm_up", held_warm_up)
    app = make_app()
    try:
        with anyio.fail_after(60):
            async with Client(build_server(lambda: app)) as client:  # initialize
                assert await anyio.to_thread.run_sync(began.wait, 30)
                exp = await call(client, "create_new_experiment", name="early")
                run = await call(
                    client,
                    "run_circuits_on_qpu_or_simulator",
                    experiment_id=exp["id"],
                    circuits_qasm=[BELL_QASM2],
                    device_id="dummy_simulator",
                    shots=10,
                )
                assert not over.is_set()  # all of that while the warm-up was still held
                release.set()
                done = await call(client, "wait_for_job", job_id=run["job_id"], timeout_s=30)
                assert done["status"] == "Done"  # the worker started after the warm-up
    finally:
        release.set()  # the lifespan has closed the App
