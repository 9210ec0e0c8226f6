"""Shared pieces of the end-to-end tests against the real default (SQLite + Aer)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from qdispatch_core.testing.backend import credential_fingerprint, recorded_events
from tests.adapters.mcp.conftest import everything_said

SECRET = "ibm-PLANTED-9f4e2a7c1d"
# A credential a job does use: dummy_qpu (the fake backend, plugged into the server
# subprocess by FAKE) takes `fake_token`, and $10 pays for its shots.
TOKEN = "fake-PLANTED-6c0e93b5a8"
FAKE = "qdispatch_core.testing.backend:from_environment"
CREDITS = "10"

BELL_THETA = """OPENQASM 3.0;
include "stdgates.inc";
input float theta;
qubit[2] q;
bit[2] c;
ry(theta) q[0];
cx q[0], q[1];
c = measure q;
"""

ZZ = [["ZZ"], [1.0]]
XX = [["XX"], [1.0]]
ANGLES = [[0.0], [math.pi / 2]]


def require_the_real_default() -> None:
    pytest.importorskip("qdispatch_sql", reason="the SQL repository is not installed")
    pytest.importorskip("qdispatch_aer.backend", reason="the Aer provider is not installed")


def check_bell_sweep(job: dict) -> None:
    """ry(θ)·CX makes cos(θ/2)|00⟩ + sin(θ/2)|11⟩: ⟨ZZ⟩ = 1 and ⟨XX⟩ = sin θ."""
    assert job["status"] == "Done", job["error"]
    (per_observable,) = job["results"]  # one circuit
    zz, xx = per_observable  # two observables
    assert len(zz) == len(xx) == 2  # two parameter sets
    assert zz == pytest.approx([1.0, 1.0], abs=0.08)
    assert xx == pytest.approx([0.0, 1.0], abs=0.08)
    (errors,) = job["uncertainties"]
    assert [len(e) for e in errors] == [2, 2]
    assert all(0 <= e < 0.05 for e in errors[1])


async def recorded(said: list[str], client: Client, tool: str, **arguments: Any) -> dict:
    """A successful call's structured content, its whole response kept in `said` as JSON."""
    result = await client.call_tool(tool, arguments)
    said.append(everything_said(result))
    assert not result.is_error, result.content[0].text
    assert result.structured_content is not None
    return result.structured_content


async def run_with_the_token(said: list[str], client: Client, experiment_id: str) -> dict:
    """A dummy_qpu job that carries TOKEN, waited until final, then read back every way a
    client can; each response lands in `said`."""
    run = await recorded(
        said,
        client,
        "run_circuits_on_qpu_or_simulator",
        experiment_id=experiment_id,
        circuits_qasm=[BELL_THETA],
        device_id="dummy_qpu",
        shots=200,
        parameters=ANGLES,
        options={"fake_token": TOKEN, "priority": "high"},
    )
    for _ in range(5):  # one wait_for_job call returns after 60 s at most
        waited = await recorded(said, client, "wait_for_job", job_id=run["job_id"], timeout_s=60)
        if waited["status"] in ("Done", "Error", "Cancelled"):
            break
    job = waited
    assert job["status"] == "Done", job
    assert [sum(counts.values()) for counts in job["results"][0]] == [200, 200]
    await recorded(said, client, "get_job_results_and_status", job_id=run["job_id"])
    await recorded(said, client, "list_jobs", experiment_id=experiment_id)
    await recorded(said, client, "get_experiment", experiment_id=experiment_id)
    return job


def check_the_token_was_used(events: Path, job_id: str) -> None:
    """The fake provider got exactly TOKEN to submit and to fetch the job (it records a
    fingerprint, never the value)."""
    seen = {(event, fp) for event, job, _, fp in recorded_events(events) if job == job_id}
    fingerprint = credential_fingerprint({"fake_token": TOKEN})
    assert seen == {("submit", fingerprint), ("fetch", fingerprint)}, seen


def check_the_token_is_nowhere(said: list[str], log: Path, data: Path, job_id: str) -> None:
    """Not in any response, not in the server's log, not in the SQLite file or its WAL."""
    assert said and all(TOKEN not in text for text in said), [t for t in said if TOKEN in t]
    assert log.stat().st_size > 0 and TOKEN.encode() not in log.read_bytes()
    files = sorted(data.glob("qdispatch.db*"))
    assert data / "qdispatch.db" in files, files
    stored = b"".join(path.read_bytes() for path in files)
    assert job_id.encode() in stored  # the files read are the ones holding the job
    assert TOKEN.encode() not in stored, [p.name for p in files if TOKEN.encode() in p.read_bytes()]
