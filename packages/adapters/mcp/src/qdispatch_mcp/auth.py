"""API-key authentication for streamable HTTP: every request carries `Authorization: Bearer
<key>` of a user (created with `qdispatch users create`), or gets HTTP 401.

An ASGI middleware rather than the SDK's OAuth machinery: qdispatch keys are opaque bearer
tokens checked against the database, with no authorization server to advertise.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import anyio.to_thread

from qdispatch_core.domain import User
from qdispatch_core.errors import Unauthorized
from qdispatch_mcp.calls import INTERNAL_ERROR, USER_STATE_KEY

log = logging.getLogger("qdispatch_mcp.auth")

Scope = dict[str, Any]
ASGIApp = Callable[..., Any]


def bearer_key(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, key = value.decode("latin-1").partition(" ")
            return key.strip() or None if scheme.lower() == "bearer" else None
    return None


class ApiKeyAuth:
    """Resolve the caller of every HTTP request before the MCP app sees it; the tools read the
    user from the request's state (`USER_STATE_KEY`). Lifespan events pass through untouched,
    since the MCP app's lifespan runs its session manager and the worker."""

    def __init__(self, app: ASGIApp, authenticate: Callable[[str | None], User]) -> None:
        self.app = app
        self.authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            # A database read: off the event loop, so other sessions keep going.
            user = await anyio.to_thread.run_sync(self.authenticate, bearer_key(scope))
        except Unauthorized as err:
            log.info("refused %s %s: %s", scope.get("method"), scope.get("path"), err.message)
            await _respond(send, 401, str(err))
            return
        except Exception:
            log.exception("authenticating a request failed")
            await _respond(send, 500, INTERNAL_ERROR)
            return
        scope.setdefault("state", {})[USER_STATE_KEY] = user
        await self.app(scope, receive, send)


async def _respond(send: Any, status: int, message: str) -> None:
    body = json.dumps({"error": "unauthorized" if status == 401 else "error", "message": message})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body.encode())).encode()),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="qdispatch"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode()})
