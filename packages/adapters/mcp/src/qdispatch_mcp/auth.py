"""API-key authentication for streamable HTTP: every request carries `Authorization: Bearer
<key>` of a user (created with `qdispatch users create`), or gets HTTP 401.

An ASGI middleware rather than the SDK's OAuth machinery: qdispatch keys are opaque bearer
tokens checked against the database, with no authorization server to advertise.

Checking a key must never wait behind tool calls (a flood of slow calls from one user once
kept every other user's requests from even being authenticated):
- a key seen recently is answered from memory (`KnownKeys`), on the event loop;
- the database read for any other key runs on threads of its own (`auth_threads`), not the
  pool the tool calls share.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import anyio
import anyio.to_thread
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken

from qdispatch_core.domain import User
from qdispatch_core.errors import Unauthorized
from qdispatch_core.usecases.users import hash_api_key
from qdispatch_mcp.calls import INTERNAL_ERROR, USER_STATE_KEY

log = logging.getLogger("qdispatch_mcp.auth")

Scope = dict[str, Any]
ASGIApp = Callable[..., Any]

# A key's user is remembered this long. There is no way to revoke a key yet; when one comes,
# it must clear this cache (or wait this long).
KNOWN_KEY_SECONDS = 30.0
KNOWN_KEYS_MAX = 4096


def bearer_key(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, key = value.decode("latin-1").partition(" ")
            return key.strip() or None if scheme.lower() == "bearer" else None
    return None


class KnownKeys:
    """Users of keys checked in the last `ttl` seconds, by the key's SHA-256 (never the key)."""

    def __init__(self, ttl: float = KNOWN_KEY_SECONDS, size: int = KNOWN_KEYS_MAX) -> None:
        self.ttl = ttl
        self.size = size
        self._users: OrderedDict[str, tuple[float, User]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> User | None:
        digest = hash_api_key(key)
        with self._lock:
            found = self._users.get(digest)
            if found is None:
                return None
            if time.monotonic() - found[0] > self.ttl:
                del self._users[digest]
                return None
            return found[1]

    def put(self, key: str, user: User) -> None:
        digest = hash_api_key(key)
        with self._lock:
            self._users[digest] = (time.monotonic(), user)
            self._users.move_to_end(digest)
            while len(self._users) > self.size:
                self._users.popitem(last=False)


def session_owner(user: User) -> AuthenticatedUser:
    """The SDK's notion of who made a request: the session manager binds every session to the
    user who opened it, and answers another user's use of its id as if it did not exist."""
    return AuthenticatedUser(
        AccessToken(token=user.id, client_id=user.id, subject=user.id, scopes=[])
    )


class ApiKeyAuth:
    """Resolve the caller of every HTTP request before the MCP app sees it; the tools read the
    user from the request's state (`USER_STATE_KEY`). Lifespan events pass through untouched,
    since the MCP app's lifespan runs its session manager and the worker."""

    def __init__(
        self, app: ASGIApp, authenticate: Callable[[str | None], User], *, threads: int = 8
    ) -> None:
        self.app = app
        self.authenticate = authenticate
        self.threads = threads
        self.known = KnownKeys()
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        # Made on first use, inside the server's event loop.
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.threads)
        return self._limiter

    async def user_for(self, key: str | None) -> User:
        user = self.known.get(key) if key else None
        if user is None:
            user = await anyio.to_thread.run_sync(
                self.authenticate, key, limiter=self.limiter, abandon_on_cancel=True
            )
            assert key is not None  # authenticate refuses a missing key
            self.known.put(key, user)
        return user

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            user = await self.user_for(bearer_key(scope))
        except Unauthorized as err:
            log.info("refused %s %s: %s", scope.get("method"), scope.get("path"), err.message)
            await refuse_unauthorized(send, str(err), key_sent=bearer_key(scope) is not None)
            return
        except Exception:
            log.exception("authenticating a request failed")
            await respond_json(send, 500, "error", INTERNAL_ERROR)
            return
        scope.setdefault("state", {})[USER_STATE_KEY] = user
        scope["user"] = session_owner(user)
        await self.app(scope, receive, send)


# What a 401 says beyond its first line: what is needed and how to get it. Clients show the body
# (the MCP Inspector shows it in its error panel), so it names the command that makes a key.
KEY_NEEDED = (
    "This MCP server needs an API key on every request, in the header "
    "'Authorization: Bearer <API key>'. Whoever runs the server creates a user and key with "
    "'qdispatch users create <name>' (the key is shown once). It does not offer OAuth: "
    "configure the key as a header in your client instead of signing in."
)


async def refuse_unauthorized(send: Any, message: str, *, key_sent: bool) -> None:
    """A 401 with `WWW-Authenticate: Bearer` (RFC 6750) and a body that says what to do.

    The challenge carries no `resource_metadata` parameter: that parameter is how a server
    points OAuth clients at its authorization server (RFC 9728, MCP authorization), and this
    server has none, so a spec-following client does not start a sign-in flow on its account.
    An invalid key is `error="invalid_token"`; a request with no key gets no error code, as
    RFC 6750 §3.1 asks."""
    challenge = 'Bearer realm="qdispatch"'
    if key_sent:
        challenge += ', error="invalid_token", error_description="unknown API key"'
    body = {"error": "unauthorized", "message": message, "help": KEY_NEEDED}
    await _send_json(send, 401, body, [(b"www-authenticate", challenge.encode("ascii"))])


async def respond_json(send: Any, status: int, error: str, message: str) -> None:
    await _send_json(send, status, {"error": error, "message": message})


async def _send_json(
    send: Any, status: int, payload: dict[str, str], extra: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps(payload).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
