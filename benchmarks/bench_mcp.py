"""5. MCP latency: median round trip of list_qpus_and_simulators and get_job_results_and_status
over stdio with the SDK's client."""

from __future__ import annotations

import os
import sys
import time

import anyio
from common import Row, at_most
from workloads import BELL


async def _measure(calls: int) -> dict[str, list[float]]:
    from mcp import Client, StdioServerParameters

    env = dict(os.environ)
    params = StdioServerParameters(command=sys.executable, args=["-m", "qdispatch_mcp"], env=env)
    timings: dict[str, list[float]] = {"list": [], "get": []}
    async with Client(params) as client:
        exp = await client.call_tool("create_new_experiment", {"name": "bench-mcp"})
        exp_id = exp.structured_content["id"]
        run = await client.call_tool(
            "run_circuits_on_qpu_or_simulator",
            {"experiment_id": exp_id, "circuits_qasm": [BELL], "device_id": "aer_simulator"},
        )
        job_id = run.structured_content["job_id"]
        await client.call_tool("wait_for_job", {"job_id": job_id, "timeout_s": 60})
        for i in range(calls + 10):  # the first 10 are warm-up
            started = time.perf_counter()
            await client.call_tool("list_qpus_and_simulators", {})
            took = time.perf_counter() - started
            if i >= 10:
                timings["list"].append(took * 1000)
            started = time.perf_counter()
            await client.call_tool("get_job_results_and_status", {"job_id": job_id})
            took = time.perf_counter() - started
            if i >= 10:
                timings["get"].append(took * 1000)
    return timings


def run(client, quick: bool) -> list[Row]:
    timings = anyio.run(_measure, 20 if quick else 200)
    return [
        Row(
            "MCP stdio: list_qpus_and_simulators",
            "ms",
            timings["list"],
            None,
            "",
            "median ≤ 20 ms",
            at_most(20),
        ),
        Row(
            "MCP stdio: get_job_results_and_status",
            "ms",
            timings["get"],
            None,
            "",
            "median ≤ 20 ms",
            at_most(20),
        ),
    ]
