"""`build_server`: the MCP server over the app's use cases, with the worker running inside."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio.to_thread
from mcp.server import MCPServer

from qdispatch import App
from qdispatch_mcp.calls import Runtime
from qdispatch_mcp.tools import all_tools

INSTRUCTIONS = """\
qdispatch runs quantum circuits on QPUs and simulators as asynchronous, persisted jobs.
A session: list_qpus_and_simulators → create_new_experiment → run_circuits_on_qpu_or_simulator
(returns a job_id at once) → wait_for_job or get_job_results_and_status. Optionally store and
inspect circuits first with submit_circuit_for_analytics. A refused request is a tool error
whose text starts with its code (400 bad request, 402 insufficient balance, 404 not found or
not yours) and says what to change."""


def build_server(app_factory: Callable[[], App]) -> MCPServer[Runtime]:
    """The server; `app_factory` is called when the server starts (once per stdio run, HTTP
    app or in-process client), and the app it returns is closed when the server stops."""

    @asynccontextmanager
    async def lifespan(server: MCPServer[Runtime]) -> AsyncIterator[Runtime]:
        app = app_factory()
        try:
            # Opening the database and creating the local user block: keep them off the loop.
            user = await anyio.to_thread.run_sync(lambda: app.default_user)
            worker = await anyio.to_thread.run_sync(app.worker)  # jobs progress while we serve
            yield Runtime.of(app, worker, user)
        finally:
            await anyio.to_thread.run_sync(app.close)  # stops the worker, closes the database

    return MCPServer(
        "qdispatch",
        title="qdispatch",
        instructions=INSTRUCTIONS,
        version=_version(),
        lifespan=lifespan,
        tools=list(all_tools()),
    )


def _version() -> str:
    from qdispatch_mcp import __version__

    return __version__
