"""The dashboard as an ASGI application over the app's use cases.

`create_dashboard(app, team=...)` is all a host needs: `qdispatch dashboard` serves it alone,
and the HTTP MCP server can serve it beside `/mcp` (`qdispatch mcp --transport http
--dashboard`). Read-mostly: the only write is cancel, through the core's `cancel_job`.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from qdispatch import App
from qdispatch_core.domain import User
from qdispatch_core.errors import QDispatchError
from qdispatch_web.auth import Access, Csrf, SessionStore
from qdispatch_web.highlight import stylesheet
from qdispatch_web.middleware import Gate
from qdispatch_web.pages import circuits, costs, experiments, job, jobs, login
from qdispatch_web.pages.common import Dashboard
from qdispatch_web.rendering import STATIC_DIR, Renderer, is_fragment

log = logging.getLogger("qdispatch_web")

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def local_user_of(app: App) -> Callable[[], User]:
    """The CLI's user: the owner of QDISPATCH_API_KEY when set, else the default local user.
    Resolved once, on the first request (creating the default user is a database write)."""
    lock = threading.Lock()
    found: list[User] = []

    def resolve() -> User:
        with lock:
            if not found:
                key = os.environ.get("QDISPATCH_API_KEY")
                found.append(app.user_for_key(key) if key else app.default_user)
            return found[0]

    return resolve


def _pygments_css(request: Request) -> Response:
    return Response(stylesheet(), media_type="text/css")


def create_dashboard(
    app: App, *, team: bool, close_app: bool = False, allowed_hosts: list[str] | None = None
) -> Starlette:
    """The dashboard over `app`. `team`: every request needs a user's API key (see auth.py).
    `close_app`: close the App when the server stops (when the dashboard owns it).
    `allowed_hosts`: Host headers to accept (DNS-rebinding protection); None accepts any."""
    renderer = Renderer()
    access = Access(
        team=team,
        authenticate=app.user_for_key,
        local_user=local_user_of(app),
        sessions=SessionStore(),
        csrf=Csrf(),
    )

    def unauthorized(request: Request, message: str) -> Response:
        response = login.login_form(request, 401, message)
        if is_fragment(request):  # a poll after the session ended: show the login page
            response.headers["hx-redirect"] = "/login"
        return response

    async def handle_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, QDispatchError):
            return renderer.error(request, exc.code, exc.message)
        if isinstance(exc, HTTPException):
            text = "no such page" if exc.status_code == 404 else str(exc.detail)
            return renderer.error(request, exc.status_code, text)
        log.exception("a dashboard page failed: %s %s", request.method, request.url.path)
        return renderer.error(request, 500, "the page could not be shown; the server log says why")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if close_app:
                app.close()

    routes = [
        Route("/static/pygments.css", _pygments_css),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        *experiments.routes,
        *jobs.routes,
        *job.routes,
        *circuits.routes,
        *costs.routes,
        *login.routes,
    ]
    middleware = [Middleware(Gate, access=access, unauthorized=unauthorized)]
    if allowed_hosts is not None:
        middleware.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    web = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            Exception: handle_error,
            HTTPException: handle_error,
            QDispatchError: handle_error,
        },
        lifespan=lifespan,
    )
    web.state.dashboard = Dashboard(app.services, renderer, access)
    return web


def for_host(app: App, host: str, *, team: bool = False, close_app: bool = False) -> Starlette:
    """The dashboard as `qdispatch dashboard --host HOST` serves it: local on a loopback
    address (with the Host header checked, so another site cannot rebind its name to us),
    team mode anywhere else or when asked."""
    local = is_loopback(host) and not team
    hosts = list(LOOPBACK_NAMES) if local else None
    return create_dashboard(app, team=not local, close_app=close_app, allowed_hosts=hosts)
