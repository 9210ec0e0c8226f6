"""`qdispatch dashboard`: experiments, jobs, results and costs in a browser.

Like `qdispatch mcp`, it never imports the door it starts (the doors are independent, checked by
import-linter): it replaces this process with `python -m qdispatch_web`.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Annotated

import typer

from qdispatch_cli.options import Db

WEB_MODULE = "qdispatch_web"
WEB_PACKAGE = "qdispatch-web"


def dashboard(
    host: Annotated[
        str, typer.Option(metavar="HOST", help="Address to listen on; not loopback: API keys.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on.")] = 8765,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the dashboard in a web browser.")
    ] = False,
    team: Annotated[
        bool, typer.Option("--team", help="Ask for API keys even on a loopback address.")
    ] = False,
    db: Db = None,
) -> None:
    """Serve the web dashboard (local user on 127.0.0.1; API keys for a team elsewhere)."""
    if importlib.util.find_spec(WEB_MODULE) is None:
        from qdispatch_cli import output

        output.error(f"the dashboard is not installed; install it with: pip install {WEB_PACKAGE}")
        raise typer.Exit(1)
    argv = [sys.executable, "-m", WEB_MODULE, "--host", host, "--port", str(port)]
    if open_browser:
        argv.append("--open")
    if team:
        argv.append("--team")
    env = dict(os.environ)
    if db:
        env["QDISPATCH_DATABASE_URL"] = db
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, argv, env)
