"""The server over streamable HTTP, behind API-key authentication."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qdispatch import App
from qdispatch_mcp.auth import ApiKeyAuth
from qdispatch_mcp.beside import with_dashboard
from qdispatch_mcp.server import build_server

MCP_PATH = "/mcp"


def http_app(
    app_factory: Callable[[], App],
    *,
    host: str = "127.0.0.1",
    path: str = MCP_PATH,
    dashboard: bool = False,
) -> Any:
    """An ASGI app serving MCP at `path`. One App serves every session: authentication needs
    it before any session exists, and the MCP app's lifespan starts its worker and closes it."""
    app = app_factory()
    server = build_server(lambda: app)
    # Passing the bound host keeps the SDK's DNS-rebinding protection on for loopback.
    mcp_app = server.streamable_http_app(streamable_http_path=path, host=host)
    served = ApiKeyAuth(mcp_app, app.user_for_key)
    return with_dashboard(served, app, path) if dashboard else served


def serve_http(
    app_factory: Callable[[], App],
    *,
    host: str,
    port: int,
    path: str = MCP_PATH,
    log_level: str = "info",
    dashboard: bool = False,
) -> None:
    import uvicorn

    uvicorn.run(
        http_app(app_factory, host=host, path=path, dashboard=dashboard),
        host=host,
        port=port,
        log_level=log_level,
    )
