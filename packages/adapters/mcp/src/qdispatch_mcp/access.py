"""The MCP server's HTTP access log (`qdispatch.access`), naming the user its authentication
middleware recorded."""

from __future__ import annotations

from qdispatch.access import AccessLog as _AccessLog
from qdispatch.access import ASGIApp, Scope, printable_path
from qdispatch_core.domain import User
from qdispatch_mcp.calls import USER_STATE_KEY

__all__ = ["AccessLog", "printable_path"]


def user_of(scope: Scope) -> str | None:
    user = scope.get("state", {}).get(USER_STATE_KEY)
    return user.id if isinstance(user, User) else None


def AccessLog(app: ASGIApp) -> _AccessLog:
    return _AccessLog(app, logger="qdispatch_mcp.access", user_of=user_of)
