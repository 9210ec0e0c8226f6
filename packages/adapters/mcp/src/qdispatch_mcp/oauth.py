"""Clear answers to OAuth clients: this server has no authorization server.

A client that follows MCP's authorization spec (the MCP Inspector, desktop clients) answers a
401 by looking for OAuth metadata: `/.well-known/oauth-protected-resource[/mcp]`, then the
authorization server's `/.well-known/oauth-authorization-server` or `openid-configuration`, and
older clients fall back to `/register`, `/authorize` and `/token` at the server's root. Without
an answer of its own here, each of those probes would reach the API-key check and get a 401 –
which reads as "sign in" – or, with `--dashboard`, a web page. So they get a 404 whose JSON body
says that the server takes an API key in a header, and how to make one: the flow stops at its
first probe with a message a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qdispatch_mcp.auth import KEY_NEEDED, respond_json

Scope = dict[str, Any]
ASGIApp = Callable[..., Any]

WELL_KNOWN = (
    "/.well-known/oauth-protected-resource",
    "/.well-known/oauth-authorization-server",
    "/.well-known/openid-configuration",
)
# The default endpoints of MCP's 2025-03-26 authorization fallback.
LEGACY_ENDPOINTS = frozenset({"/register", "/authorize", "/token"})
NO_OAUTH = "404 this server does not offer OAuth. " + KEY_NEEDED


def is_oauth_probe(path: str) -> bool:
    return path in LEGACY_ENDPOINTS or any(
        path == prefix or path.startswith(prefix + "/") for prefix in WELL_KNOWN
    )


class NoOAuth:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and is_oauth_probe(str(scope.get("path", ""))):
            await respond_json(send, 404, "not_found", NO_OAUTH)
            return
        await self.app(scope, receive, send)
