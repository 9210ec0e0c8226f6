"""`build_server`: the MCP server over the app's use cases, with the worker running inside."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio.to_thread
from mcp.server import MCPServer

from qdispatch import App
from qdispatch_mcp.apps import advertise_apps, apps_extension
from qdispatch_mcp.calls import Runtime
from qdispatch_mcp.tasks import TasksExtension, TaskWatchers, legacy_tasks
from qdispatch_mcp.tools import all_tools
from qdispatch_mcp.warm import start_warming

INSTRUCTIONS = """\
qdispatch runs quantum circuits on QPUs and simulators as asynchronous, persisted jobs.
A session: list_qpus_and_simulators → create_new_experiment → run_circuits_on_qpu_or_simulator
(returns a job_id at once) → wait_for_job or get_job_results_and_status. Optionally store and
inspect circuits first with submit_circuit_for_analytics. A refused request is a tool error
whose text starts with its code (400 bad request, 402 insufficient balance, 404 not found or
not yours) and says what to change."""


class Gate:
    """Runs a start-up step unless the server has begun to stop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed = False

    def run(self, step: Callable[[], object]) -> Callable[[], None]:
        def guarded() -> None:
            with self._lock:
                if not self._closed:
                    step()

        return guarded

    def close(self) -> None:
        with self._lock:
            self._closed = True


def build_server(app_factory: Callable[[], App]) -> MCPServer[Runtime]:
    """The server; `app_factory` is called when the server starts (once per stdio run, HTTP
    app or in-process client), and the app it returns is closed when the server stops."""

    @asynccontextmanager
    async def lifespan(server: MCPServer[Runtime]) -> AsyncIterator[Runtime]:
        app = app_factory()
        gate = Gate()
        try:
            # Opening the database and creating the local user block: keep them off the loop.
            user = await anyio.to_thread.run_sync(lambda: app.default_user)
            # Jobs progress while we serve. The worker starts once the warm-up (Qiskit and the
            # default simulator, read while the client connects) is done: its simulation
            # processes import Qiskit and Aer too, and at start-up the two compete for the cores
            # (the warm-up took 7 s beside them under load, 2.5 s alone).
            worker = await anyio.to_thread.run_sync(lambda: app.worker(start=False))
            start_warming(app, then=gate.run(worker.start))
            async with anyio.create_task_group() as background:  # task status watchers
                yield Runtime.of(app, worker, user, TaskWatchers(background))
                background.cancel_scope.cancel()
        finally:
            gate.close()  # a warm-up still running must not start the worker after this
            # Shielded: a stopping server (a signal, stdin closed) is a cancelled one, and the
            # worker must still hand its jobs back and the database be closed.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(app.close)

    return MCPServer(
        "qdispatch",
        title="qdispatch",
        instructions=INSTRUCTIONS,
        version=_version(),
        lifespan=lifespan,
        tools=all_tools(),
        extensions=[TasksExtension(), apps_extension()],
        middleware=[advertise_apps, legacy_tasks],
    )


def _version() -> str:
    from qdispatch_mcp import __version__

    return __version__
