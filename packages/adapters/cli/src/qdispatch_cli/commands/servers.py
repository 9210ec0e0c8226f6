"""`qdispatch worker` and `qdispatch mcp`: the long-running processes.

The CLI never imports the MCP server (the doors are independent, checked by import-linter):
`mcp` replaces this process with `python -m qdispatch_mcp`, which keeps stdin/stdout intact for
the stdio transport.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from qdispatch_cli.options import Db

MCP_MODULE = "qdispatch_mcp"
MCP_PACKAGE = "qdispatch-mcp"


class Transport(StrEnum):
    stdio = "stdio"
    http = "http"


def worker(
    threads: Annotated[
        int | None, typer.Option(metavar="N", help="Jobs run at once (default 4).")
    ] = None,
    idle_exit: Annotated[
        float | None,
        typer.Option(metavar="SECONDS", help="Exit after this many idle seconds (default: never)."),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help="Run simulations on this Dask scheduler, e.g. tcp://host:8786 "
            "(default: QDISPATCH_DASK_ADDRESS; needs qdispatch[dask]).",
        ),
    ] = None,
    db: Db = None,
) -> None:
    """Run jobs until stopped (Ctrl-C or SIGTERM hands the jobs in hand back at once).

    Start any number, on any hosts, against one PostgreSQL database: each job runs once, and
    idle workers share the shards of a large sweep (docs/scale-out.md).
    """
    from qdispatch.worker_main import main as worker_main

    argv = []
    if db:
        argv += ["--db", db]
    if threads is not None:
        argv += ["--threads", str(threads)]
    if idle_exit is not None:
        argv += ["--idle-exit", str(idle_exit)]
    if dask:
        argv += ["--dask", dask]
    worker_main(argv)


def mcp_entry_point() -> Path | None:
    """The MCP server's `__main__`, found without importing the package."""
    spec = importlib.util.find_spec(MCP_MODULE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        main = Path(location) / "__main__.py"
        if main.exists():
            return main
    return None


def mcp(
    ctx: typer.Context,
    transport: Annotated[
        Transport, typer.Option(help="stdio for a local agent, http for streamable HTTP.")
    ] = Transport.stdio,
    host: Annotated[
        str | None, typer.Option(metavar="HOST", help="HTTP: address to listen on.")
    ] = None,
    port: Annotated[
        int | None, typer.Option(metavar="PORT", help="HTTP: port to listen on.")
    ] = None,
    db: Db = None,
) -> None:
    """Start the MCP server for agents (stdio by default; HTTP asks for an API key).

    Further arguments are passed to the server unchanged.
    """
    if mcp_entry_point() is None:
        from qdispatch_cli import output

        output.error(f"the MCP server is not installed; install it with: pip install {MCP_PACKAGE}")
        raise typer.Exit(1)
    argv = [sys.executable, "-m", MCP_MODULE, "--transport", transport.value]
    if host is not None:
        argv += ["--host", host]
    if port is not None:
        argv += ["--port", str(port)]
    argv += ctx.args
    env = dict(os.environ)
    if db:
        env["QDISPATCH_DATABASE_URL"] = db
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, argv, env)
