import time

import pytest
from mcp import Client

from qdispatch_core.testing import FakeBackend
from qdispatch_mcp import build_server
from qdispatch_mcp.tools import jobs
from tests.adapters.mcp.conftest import call, refused
from tests.samples import BELL_QASM2

pytestmark = pytest.mark.anyio

SWEEP = [[0.0]] * 8  # eight executables, so a slow fake backend takes a while


async def submit(client, *, shots=10, name="", experiment="e", sweep=False) -> str:
    exp = (await call(client, "create_new_experiment", name=experiment))["id"]
    qasm = BELL_QASM2
    extra = {}
    if sweep:
        qasm = (
            "OPENQASM 3.0;\ninput float t;\nqubit[1] q;\nbit[1] c;\nrx(t) q[0];\nc = measure q;\n"
        )
        extra = {"parameters": SWEEP}
    run = await call(
        client,
        "run_circuits_on_qpu_or_simulator",
        experiment_id=exp,
        circuits_qasm=[qasm],
        device_id="dummy_simulator",
        shots=shots,
        name=name,
        **extra,
    )
    return run["job_id"]


@pytest.fixture
async def slow_client(make_app):
    # Shards of four executables, run one after the other (one worker thread: a second would
    # run the other shard at the same time, issue 15): progress moves while a sweep runs.
    app = make_app(FakeBackend(delay=0.05), shard_seconds=0.2, worker_threads=1)
    async with Client(build_server(lambda: app)) as client:
        yield client


async def test_get_job_returns_the_whole_job_and_a_context(client):
    job_id = await submit(client, shots=7, name="bell")
    await call(client, "wait_for_job", job_id=job_id)
    out = await call(client, "get_job_results_and_status", job_id=job_id)
    job = out
    assert job["name"] == "bell" and job["shots"] == 7 and job["run_type"] == "Run"
    assert job["progress"] == {"done": 1, "total": 1}
    assert job["created_at"] and job["finished_at"] and job["logs"]
    assert out["context"].startswith(f"Job {job_id} on dummy_simulator is Done")
    text = await refused(client, "get_job_results_and_status", job_id="job_nope")
    assert text.startswith("404 job_id")


async def test_wait_for_job_reports_progress_while_it_waits(slow_client):
    job_id = await submit(slow_client, sweep=True)
    seen = []

    async def on_progress(progress, total, message):
        seen.append((progress, total, message))

    result = await slow_client.call_tool(
        "wait_for_job", {"job_id": job_id, "timeout_s": 20}, progress_callback=on_progress
    )
    assert result.structured_content["status"] == "Done"
    assert len(seen) >= 2
    values = [p for p, _, _ in seen]
    assert values == sorted(values) and len(set(values)) == len(values)  # always increasing
    assert all(total == 20 for _, total, _ in seen)
    assert any("executables done" in m and job_id in m for _, _, m in seen)


async def test_wait_for_job_returns_the_job_unfinished_when_time_is_up(slow_client):
    job_id = await submit(slow_client, sweep=True)
    out = await call(slow_client, "wait_for_job", job_id=job_id, timeout_s=0)
    assert out["status"] not in ("Done", "Error", "Cancelled")
    assert out["context"].startswith("Still ") and "wait_for_job" in out["context"]


async def test_wait_for_job_clamps_its_timeout(slow_client, monkeypatch):
    monkeypatch.setattr(jobs, "MAX_WAIT_S", 0.15)
    job_id = await submit(slow_client, sweep=True)
    started = time.monotonic()
    out = await call(slow_client, "wait_for_job", job_id=job_id, timeout_s=3600)
    assert time.monotonic() - started < 2
    assert out["status"] != "Done"


async def test_wait_for_job_refuses_bad_arguments(client):
    assert (await refused(client, "wait_for_job", job_id="job_x", timeout_s=-1)).startswith(
        "400 timeout_s"
    )
    assert (await refused(client, "wait_for_job", job_id="job_x", timeout_s=0)).startswith(
        "404 job_id"
    )


async def test_cancel_job_stops_a_running_job(slow_client):
    job_id = await submit(slow_client, sweep=True)
    out = await call(slow_client, "cancel_job", job_id=job_id)
    assert out["status"] == "Cancelled" or out["cancel_requested"]
    final = await call(slow_client, "wait_for_job", job_id=job_id, timeout_s=20)
    assert final["status"] == "Cancelled"
    again = await call(slow_client, "cancel_job", job_id=job_id)  # a final job stays as it is
    assert again["status"] == "Cancelled"
    assert (await refused(slow_client, "cancel_job", job_id="job_nope")).startswith("404 job_id")


async def test_list_jobs_filters_by_experiment_and_status(client):
    first = await submit(client, experiment="a")
    second = await submit(client, experiment="b")
    await call(client, "wait_for_job", job_id=first)
    await call(client, "wait_for_job", job_id=second)
    listed = await call(client, "list_jobs")
    assert [j["id"] for j in listed["jobs"]] == [second, first]  # newest first
    assert "2 jobs (2 Done)" in listed["context"]
    exp_a = (await call(client, "create_new_experiment", name="a"))["id"]
    only_a = await call(client, "list_jobs", experiment_id=exp_a, status="Done", limit=5)
    assert [j["id"] for j in only_a["jobs"]] == [first]
    assert (await call(client, "list_jobs", status="Running"))["jobs"] == []
    assert len((await call(client, "list_jobs", limit=1))["jobs"]) == 1


async def test_list_jobs_says_which_jobs_are_dry_runs(client):
    """Issue 17 item 5: a dry run is Done but spent nothing; the summary says so."""
    real = await submit(client, experiment="a")
    exp = (await call(client, "create_new_experiment", name="a"))["id"]
    dry = await call(
        client,
        "run_circuits_on_qpu_or_simulator",
        experiment_id=exp,
        circuits_qasm=[BELL_QASM2],
        device_id="dummy_qpu",
        shots=100,
        dry_run=True,
    )
    listed = {j["id"]: j for j in (await call(client, "list_jobs"))["jobs"]}
    assert listed[dry["job_id"]]["dry_run"] is True and listed[real]["dry_run"] is False
    assert listed[dry["job_id"]]["status"] == "Done"  # the contract's status is unchanged


async def test_list_jobs_refuses_bad_filters(client):
    assert (await refused(client, "list_jobs", status="Finished")).startswith("400 status")
    assert (await refused(client, "list_jobs", limit=0)).startswith("400 limit")
    assert (await refused(client, "list_jobs", experiment_id="exp_nope")).startswith(
        "404 experiment_id"
    )
