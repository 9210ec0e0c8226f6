"""The server over streamable HTTP: access log → OAuth probes answered (`oauth.py`) → API-key
auth → sessions per user → MCP (and, with `--dashboard`, the web dashboard beside it, behind the
same access log)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qdispatch import App
from qdispatch_mcp.access import AccessLog
from qdispatch_mcp.auth import ApiKeyAuth
from qdispatch_mcp.beside import with_dashboard
from qdispatch_mcp.oauth import NoOAuth
from qdispatch_mcp.server import build_server
from qdispatch_mcp.sessions import SessionQuota

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
    settings = app.settings
    server = build_server(lambda: app)
    # Passing the bound host keeps the SDK's DNS-rebinding protection on for loopback.
    mcp_app = server.streamable_http_app(streamable_http_path=path, host=host)
    quota = SessionQuota(
        mcp_app, lambda: server.session_manager, per_user=settings.mcp_sessions_per_user
    )
    served: Any = ApiKeyAuth(quota, app.user_for_key, threads=settings.mcp_auth_threads)
    if dashboard:
        served = with_dashboard(served, app, path)
    return AccessLog(NoOAuth(served))


def serve_http(
    app_factory: Callable[[], App],
    *,
    host: str,
    port: int,
    path: str = MCP_PATH,
    dashboard: bool = False,
) -> None:
    """Serve until SIGINT/SIGTERM. Logging is the caller's (`qdispatch.logs`): uvicorn's own
    configuration is off, its access log replaced by `AccessLog`. On a signal, open streams
    (SSE GET streams, tool calls still running) get `mcp_shutdown_grace_seconds` to end, then
    are closed, so a server holding many sessions still stops promptly."""
    import uvicorn

    app = app_factory()
    config = uvicorn.Config(
        http_app(lambda: app, host=host, path=path, dashboard=dashboard),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=app.settings.mcp_shutdown_grace_seconds,  # type: ignore[arg-type]
    )
    uvicorn.Server(config).run()
