"""The web dashboard beside the MCP endpoint, in the same server (`--dashboard`).

The dashboard is found by name (`qdispatch_web.mount:beside`), never imported here: the doors
stay independent (checked by import-linter), and the MCP server runs without the web package.
Requests under the MCP path go to MCP (API key in the Authorization header); every other path
goes to the dashboard, which asks for the same API keys through its login form. Lifespan
events go to the MCP app, whose lifespan runs the worker and closes the App both share.
"""

from __future__ import annotations

from typing import Any

from qdispatch import App
from qdispatch_core.registry import load_object

DASHBOARD = "qdispatch_web.mount:beside"
WEB_PACKAGE = "qdispatch-web"


def load_dashboard(app: App) -> Any:
    try:
        factory = load_object(DASHBOARD)
    except ImportError as exc:
        hint = f"install it with: pip install {WEB_PACKAGE}"
        raise SystemExit(f"--dashboard needs the web dashboard ({exc}); {hint}") from None
    return factory(app)  # type: ignore[operator]


def with_dashboard(mcp: Any, app: App, path: str) -> Any:
    dashboard = load_dashboard(app)
    prefix = path.rstrip("/")

    async def route(scope: dict, receive: Any, send: Any) -> None:
        where = scope.get("path", "")
        under_mcp = where == prefix or where.startswith(prefix + "/")
        if scope["type"] == "http" and not under_mcp:
            await dashboard(scope, receive, send)
        else:
            await mcp(scope, receive, send)

    return route
