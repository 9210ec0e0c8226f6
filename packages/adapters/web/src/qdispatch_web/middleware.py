"""The gate every request passes: the session cookie, the caller, and the security headers.

One pure ASGI middleware (no BaseHTTPMiddleware, which buffers and breaks streaming): it gives
each browser its session cookie, resolves the user off the event loop, answers 401 with the
login form in team mode when nobody is logged in, and stamps every response with headers that
keep the page to its own origin (scripts, styles, images and requests from 'self' only).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

import anyio.to_thread
from starlette.requests import Request

from qdispatch_core.errors import Unauthorized
from qdispatch_web.auth import COOKIE, SESSION_SECONDS, Access, new_session_id

log = logging.getLogger("qdispatch_web")

PUBLIC_PREFIXES = ("/static/", "/login", "/favicon")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

Scope = dict[str, Any]


def session_cookie(sid: str, secure: bool, max_age: int = SESSION_SECONDS) -> bytes:
    cookie: SimpleCookie = SimpleCookie()
    cookie[COOKIE] = sid
    morsel = cookie[COOKIE]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Strict"
    morsel["max-age"] = max_age
    if secure:
        morsel["secure"] = True
    return morsel.OutputString().encode("latin-1")


class Gate:
    def __init__(self, app: Any, access: Access, unauthorized: Callable[[Request, str], Any]):
        self.app = app
        self.access = access
        self.unauthorized = unauthorized

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        sid = self.access.session_id(request)
        new_cookie = None
        if not sid:
            sid = new_session_id()
            new_cookie = session_cookie(sid, secure=scope.get("scheme") == "https")
        state = scope.setdefault("state", {})
        state.update(sid=sid, team=self.access.team, csrf_token=self.access.csrf.token(sid))

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))  # pages are per user
                if new_cookie is not None and b"set-cookie" not in present:
                    headers.append((b"set-cookie", new_cookie))
                message = {**message, "headers": headers}
            await send(message)

        try:
            user = await anyio.to_thread.run_sync(self.access.user, request)
        except Unauthorized as err:
            await self.unauthorized(Request(scope), err.message)(scope, receive, send_with_headers)
            return
        state["user"] = user
        public = scope["path"].startswith(PUBLIC_PREFIXES)
        if user is None and not public:
            await self.unauthorized(Request(scope), "")(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
