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
from pathlib import Path

import pytest

from tests.adapters.mcp.e2e import require_the_real_default
from tests.adapters.mcp.servers import server_env

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
