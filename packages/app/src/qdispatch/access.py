"""The HTTP access log of qdispatch's servers (MCP over HTTP, the dashboard): one line per
request through `qdispatch.logs` (stderr, secrets masked), with the caller's user id and never
a query string (a client that puts its API key in the URL must not have it written down).

It replaces uvicorn's access log, which records the full path with its query and writes to
stdout.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

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
    """ASGI middleware. `user_of(scope)` names the caller once the request is answered (the
    door's own authentication put it in the scope's state), or returns None."""

    def __init__(
        self, app: ASGIApp, *, logger: str, user_of: Callable[[Scope], str | None]
    ) -> None:
        self.app = app
        self.log = logging.getLogger(logger)
        self.user_of = user_of

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
            client = scope.get("client") or ("-", 0)
            self.log.info(
                '%s:%s "%s %s" %s %.0f ms user=%s',
                client[0],
                client[1],
                scope.get("method"),
                printable_path(scope),
                status if status is not None else "-",
                (time.monotonic() - start) * 1000,
                self.user_of(scope) or "-",
            )
