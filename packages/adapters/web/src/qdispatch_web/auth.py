"""Who is asking, and whether a form really came from our own page.

Two modes:
- local (bound to a loopback address): every request acts as the local user, as the CLI does
  (the owner of QDISPATCH_API_KEY when set, else the default local user);
- team (any other address, `--team`, or mounted beside the HTTP MCP server): a request carries
  the user's API key as `Authorization: Bearer <key>`, or a session cookie that the login form
  set after checking the key. Without either, pages answer 401 with the login form.

Every browser gets a random `qdispatch_session` cookie (HttpOnly, SameSite=Strict). A form that
changes something (cancel, login, logout) must carry the CSRF token derived from it with a
secret of this process (HMAC-SHA256): a page on another site can make the browser send the
cookie but can neither read it nor compute the token. Logging in replaces the cookie's value,
so a session id planted before login is worth nothing after it. Requests with a Bearer key
need no token: browsers never attach that header on their own.

Sessions live in this process's memory: restarting the dashboard logs everyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

from qdispatch_core.domain import User

COOKIE = "qdispatch_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_SECONDS = 12 * 3600
MAX_SESSIONS = 10_000


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    expires: float


class SessionStore:
    """Logged-in sessions by cookie value, oldest evicted first beyond `limit`."""

    def __init__(self, lifetime: float = SESSION_SECONDS, limit: int = MAX_SESSIONS) -> None:
        self.lifetime = lifetime
        self.limit = limit
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, user: User) -> str:
        sid = new_session_id()
        with self._lock:
            self._sessions[sid] = Session(user, time.monotonic() + self.lifetime)
            while len(self._sessions) > self.limit:
                self._sessions.popitem(last=False)
        return sid

    def user(self, sid: str | None) -> User | None:
        if not sid:
            return None
        with self._lock:
            session = self._sessions.get(sid)
            if session is None:
                return None
            if session.expires < time.monotonic():
                del self._sessions[sid]
                return None
            return session.user

    def close(self, sid: str | None) -> None:
        with self._lock:
            self._sessions.pop(sid or "", None)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


class Csrf:
    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def token(self, sid: str) -> str:
        return hmac.new(self._secret, sid.encode(), hashlib.sha256).hexdigest()

    def valid(self, sid: str | None, token: str | None) -> bool:
        return bool(sid and token) and hmac.compare_digest(self.token(sid or ""), token or "")


def bearer_key(request: Request) -> str | None:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    return key.strip() or None if scheme.lower() == "bearer" else None


@dataclass
class Access:
    """How this dashboard decides who a request is (see the module's docstring)."""

    team: bool
    authenticate: Callable[[str | None], User]  # an API key to its user (401 otherwise)
    local_user: Callable[[], User]
    sessions: SessionStore
    csrf: Csrf

    def session_id(self, request: Request) -> str | None:
        return request.cookies.get(COOKIE)

    def user(self, request: Request) -> User | None:
        """The caller, or None in team mode when neither a key nor a session says who.

        Blocking (a database read): call it off the event loop."""
        key = bearer_key(request)
        if key is not None:
            return self.authenticate(key)  # a wrong key is a 401, not an anonymous visit
        if not self.team:
            return self.local_user()
        return self.sessions.user(self.session_id(request))
