"""Sessions bound to their user (issue 18), as the SDK expects: the auth middleware records the
caller where the SDK's session manager reads it (`scope["user"]`, an `AuthenticatedUser`), and
the SDK refuses any other user's key on a session as if it did not exist. User B, with A's
session id and B's own valid key, can neither attach to A's event stream (GET), call in it
(POST), nor end it (DELETE); A's session goes on working."""

from __future__ import annotations

import json

import httpx2
import pytest

from qdispatch_core.usecases import create_user
from tests.adapters.mcp.servers import free_port, serve_in_thread

pytestmark = pytest.mark.anyio

VERSION = "2025-06-18"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": VERSION,
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "1"},
    },
}
LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}


@pytest.fixture
def served(app):
    _, alice = create_user(app.services, "alice")
    _, bob = create_user(app.services, "bob")
    with serve_in_thread(app, free_port()) as url:
        yield url, alice, bob


def headers(key: str, session: str | None = None, accept: str = "json") -> dict[str, str]:
    wanted = "text/event-stream" if accept == "sse" else "application/json, text/event-stream"
    out = {"Authorization": f"Bearer {key}", "Accept": wanted, "mcp-protocol-version": VERSION}
    if session:
        out["mcp-session-id"] = session
    return out


def events(response: httpx2.Response) -> list[dict]:
    return [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:")]


async def test_another_user_cannot_use_or_end_a_session(served):
    url, alice, bob = served
    async with httpx2.AsyncClient(timeout=30) as http:
        opened = await http.post(url, json=INITIALIZE, headers=headers(alice))
        assert opened.status_code == 200
        session = opened.headers["mcp-session-id"]
        initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        assert (await http.post(url, json=initialized, headers=headers(alice, session))).is_success

        # Bob, with a valid key of his own: as if the session did not exist.
        async with http.stream("GET", url, headers=headers(bob, session, "sse")) as stream:
            assert stream.status_code == 404
        assert (await http.post(url, json=LIST, headers=headers(bob, session))).status_code == 404
        assert (await http.delete(url, headers=headers(bob, session))).status_code == 404

        # Alice's session is untouched: it answers, streams, and ends when she ends it.
        listed = await http.post(url, json=LIST, headers=headers(alice, session))
        assert listed.status_code == 200
        (answer,) = events(listed)
        assert "run_circuits_on_qpu_or_simulator" in {t["name"] for t in answer["result"]["tools"]}
        async with http.stream("GET", url, headers=headers(alice, session, "sse")) as stream:
            assert stream.status_code == 200
        assert (await http.delete(url, headers=headers(alice, session))).status_code < 300
        after = await http.post(url, json=LIST, headers=headers(alice, session))
        assert after.status_code == 404  # ended by its owner
