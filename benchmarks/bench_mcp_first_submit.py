"""10. MCP first submit (issue 18): the installed server on stdio, a fresh process and home each
time, driven by the SDK's client.

- 8a: the first `run_circuits_on_qpu_or_simulator` of a server that has been up 5 s, counted
  from its answer to `initialize` (target ≤ 300 ms: the warm-up imported Qiskit and the Aer
  provider meanwhile);
- 8b: server start → the first submit's response, submitting as soon as `initialize` returned
  (the warm-up still running: the submission waits for the toolkit it is loading).

The reference is what a cold first submission paid before: a fresh interpreter importing Qiskit
and Qiskit Aer and reading the circuit (`qiskit.qasm2.loads`), the work the warm-up moves off
the request path."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import anyio
from common import Row, at_most
from workloads import BELL

UPTIME_S = 5.0
REFERENCE = f"import qiskit, qiskit.qasm2, qiskit_aer\nqiskit.qasm2.loads({BELL!r})\n"


def _env(home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QDISPATCH_")}
    env["QDISPATCH_HOME"] = home
    return env


async def _first_submit(wait_for_uptime: bool) -> tuple[float, float]:
    """(start → the first submit's response, the submit's own latency), in seconds."""
    from mcp import Client, StdioServerParameters

    with tempfile.TemporaryDirectory() as home:
        args = ["-m", "qdispatch_mcp", "--log-level", "WARNING"]
        params = StdioServerParameters(command=sys.executable, args=args, env=_env(home))
        started = time.perf_counter()
        async with Client(params) as client:
            up = time.perf_counter()  # initialize answered: the server is up
            exp = await client.call_tool("create_new_experiment", {"name": "first"})
            if wait_for_uptime:
                await anyio.sleep(max(0.0, UPTIME_S - (time.perf_counter() - up)))
            request = {
                "experiment_id": exp.structured_content["id"],
                "circuits_qasm": [BELL],
                "device_id": "aer_simulator",
            }
            sent = time.perf_counter()
            run = await client.call_tool("run_circuits_on_qpu_or_simulator", request)
            answered = time.perf_counter()
            assert not run.is_error, run.content[0].text
    return answered - started, answered - sent


def _reference() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", REFERENCE], check=True, env=_env(tempfile.gettempdir()))
    return time.perf_counter() - started


def run(client, quick: bool) -> list[Row]:
    runs = 2 if quick else 5
    warm, cold_total, reference = [], [], []
    for _ in range(runs):  # interleaved, so machine load hits all three alike
        warm.append(anyio.run(_first_submit, True)[1] * 1000)
        cold_total.append(anyio.run(_first_submit, False)[0])
        reference.append(_reference())
    return [
        Row(
            "MCP first submit, server up 5 s",
            "ms",
            warm,
            [r * 1000 for r in reference],
            "cold: import Qiskit + Aer, read the circuit",
            "≤ 300 ms",
            at_most(300),
        ),
        Row(
            "MCP start → first submit's response (submitted at once)",
            "s",
            cold_total,
            reference,
            "cold: import Qiskit + Aer, read the circuit",
            "— (reported)",
        ),
    ]
