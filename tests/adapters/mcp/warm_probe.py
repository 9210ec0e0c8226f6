"""Run in a fresh interpreter by test_warm_start.py: the MCP server on the real default, warmed
up, then one submission; prints what the submission imported on the request path, and how long
it took, as JSON."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time

import anyio

from tests.samples import BELL_QASM2 as BELL

WATCHED = (
    "qiskit",
    "qdispatch_qiskit",
    "qdispatch_aer",
    "braket",
    "qdispatch_braket",
    "qiskit_ibm_runtime",
    "qdispatch_ibm",
    "cirq",
    "qdispatch_ionq",
)


class Ready(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.event = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "ready for the first submission" in record.getMessage():
            self.event.set()


async def main(device: str) -> dict:
    from mcp import Client

    from qdispatch import App, Settings
    from qdispatch_mcp import build_server

    ready = Ready()
    logging.getLogger("qdispatch_mcp.warm").addHandler(ready)
    logging.getLogger("qdispatch_mcp.warm").setLevel(logging.INFO)
    window: list[tuple[str, str]] = []
    recording = threading.Event()

    def audit(event: str, args: tuple) -> None:
        if event == "import" and recording.is_set():
            window.append((str(args[0]), threading.current_thread().name))

    sys.addaudithook(audit)
    app = App(Settings.from_env())
    async with Client(build_server(lambda: app)) as client:
        exp = await client.call_tool("create_new_experiment", {"name": "warm"})
        warmed = await anyio.to_thread.run_sync(ready.event.wait, 300)
        request = {
            "experiment_id": exp.structured_content["id"],
            "circuits_qasm": [BELL],
            "device_id": device,
            "shots": 100,
        }
        recording.set()
        began = time.perf_counter()
        run = await client.call_tool("run_circuits_on_qpu_or_simulator", request)
        took = time.perf_counter() - began
        recording.clear()
    app.close()
    on_request = sorted(
        {
            name
            for name, thread in window
            if name.split(".")[0] in WATCHED and not thread.startswith("qdispatch-worker")
        }
    )
    return {
        "warmed": warmed,
        "error": run.is_error,
        "seconds": took,
        "imported": on_request,
        "text": run.content[0].text[:300],
    }


if __name__ == "__main__":
    os.environ.setdefault("QDISPATCH_AUTOSTART_WORKER", "0")
    print(json.dumps(anyio.run(main, sys.argv[1])))
