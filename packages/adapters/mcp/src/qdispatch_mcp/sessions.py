"""Sessions per user: one user must not hold every MCP session the server will open.

The SDK's session manager caps sessions for the whole server (10,000) and closes one after 30
idle minutes; a user who opens that many locks everyone else out for half an hour. This
middleware, after authentication, refuses a user's new session while they already hold
`per_user` open ones (HTTP 429 with a JSON-RPC error, as the SDK answers its own cap with 503),
and lets their other sessions and every other user go on.

Only requests that open a session count: a POST without an `mcp-session-id` header, in the
handshake era (no protocol header, or a handshake version). Requests of the 2026 protocol carry
no session and are limited per call instead (`calls.CallSlots`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Container
from typing import Any

from mcp.server.streamable_http import MCP_SESSION_ID_HEADER
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.shared.inbound import MCP_PROTOCOL_VERSION_HEADER
from mcp_types import INTERNAL_ERROR, ErrorData, JSONRPCError
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

from qdispatch_core.domain import User
from qdispatch_mcp.calls import USER_STATE_KEY

log = logging.getLogger("qdispatch_mcp.sessions")

Scope = dict[str, Any]
ASGIApp = Callable[..., Any]

_SESSION = MCP_SESSION_ID_HEADER.lower().encode("ascii")
_VERSION = MCP_PROTOCOL_VERSION_HEADER.lower().encode("ascii")


def open_sessions(manager: StreamableHTTPSessionManager) -> Container[str]:
    """The ids of the sessions the manager holds now. The SDK keeps no public view of them;
    this is the one place that reads its table (pinned by tests/security/test_sessions.py)."""
    return manager._server_instances


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def opens_a_session(scope: Scope) -> bool:
    if scope.get("method") != "POST" or _header(scope, _SESSION) is not None:
        return False
    version = _header(scope, _VERSION)
    return version is None or version in HANDSHAKE_PROTOCOL_VERSIONS


class SessionQuota:
    def __init__(
        self, app: ASGIApp, manager: Callable[[], StreamableHTTPSessionManager], per_user: int
    ) -> None:
        self.app = app
        self.manager = manager
        self.per_user = per_user
        self._sessions: dict[str, set[str]] = {}
        # Sessions being opened right now: counted, so that a burst of parallel opens cannot
        # slip past the limit before any of them is answered.
        self._opening: dict[str, int] = {}

    def held(self, user_id: str) -> int:
        live = open_sessions(self.manager())
        mine = {s for s in self._sessions.get(user_id, ()) if s in live}
        if mine:
            self._sessions[user_id] = mine
        else:
            self._sessions.pop(user_id, None)
        return len(mine) + self._opening.get(user_id, 0)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        user = scope.get("state", {}).get(USER_STATE_KEY)
        if scope["type"] != "http" or not isinstance(user, User) or not opens_a_session(scope):
            await self.app(scope, receive, send)
            return
        if self.held(user.id) >= self.per_user:
            log.warning("user %s refused a session: %d already open", user.id, self.per_user)
            await _refuse(send, self.per_user)
            return
        self._opening[user.id] = self._opening.get(user.id, 0) + 1

        async def remember(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                for key, value in message.get("headers", ()):
                    if key.lower() == _SESSION:
                        self._sessions.setdefault(user.id, set()).add(value.decode("latin-1"))
            await send(message)

        try:
            await self.app(scope, receive, remember)
        finally:
            self._opening[user.id] -= 1
            if not self._opening[user.id]:
                del self._opening[user.id]


async def _refuse(send: Any, per_user: int) -> None:
    message = (
        f"429 too many open sessions: you hold {per_user}, the most one user may; close one "
        "(HTTP DELETE with its mcp-session-id) or let an idle one expire"
    )
    error = JSONRPCError(
        jsonrpc="2.0", id=None, error=ErrorData(code=INTERNAL_ERROR, message=message)
    )
    body = error.model_dump_json(by_alias=True, exclude_unset=True).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", b"60"),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
