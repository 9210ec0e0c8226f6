"""The HTTP access log: one line per request on stderr, with the caller's user id and never a
query string (a client that puts its API key in the URL must not have it written down).

It replaces uvicorn's access log, which records the full path with its query and writes to
stdout.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from qdispatch_core.domain import User
from qdispatch_mcp.calls import USER_STATE_KEY

log = logging.getLogger("qdispatch_mcp.access")

Scope = dict[str, Any]
ASGIApp = Callable[..., Any]
PATH_MAX = 100


def printable_path(scope: Scope) -> str:
    """The request's path (ASGI keeps the query apart), cut short and with control
    characters escaped, so a hostile path cannot forge or flood log lines."""
    path = str(scope.get("path", ""))
    if len(path) > PATH_MAX:
        path = path[:PATH_MAX] + "…"
    return path.encode("unicode_escape").decode("ascii")


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.monotonic()
        status: int | None = None

        async def watch(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            user = scope.get("state", {}).get(USER_STATE_KEY)
            client = scope.get("client") or ("-", 0)
            log.info(
                '%s:%s "%s %s" %s %.0f ms user=%s',
                client[0],
                client[1],
                scope.get("method"),
                printable_path(scope),
                status if status is not None else "-",
                (time.monotonic() - start) * 1000,
                user.id if isinstance(user, User) else "-",
            )
