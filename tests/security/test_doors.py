"""M1, M4: one user cannot starve or lock out another.

Alice floods the server with slow tool calls (each makes the server work 10 s) and holds every
session she may; Bob must still be authenticated and answered at once, and may open his own
sessions. Alice's calls beyond her share wait briefly, then get a 429 that says why."""

from __future__ import annotations

import contextlib
import time

import anyio
import httpx2
import pytest

from tests.security.conftest import SLOW, running_server
from tests.security.test_results import session

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SLOW_SECONDS = 10
CALLS_PER_USER = 4
SESSIONS_PER_USER = 3
# Bob's answer must come long before any of Alice's slow calls could have ended (10 s): before
# the fix he waited behind them for a thread, for the key check and for the call.
BOB_BOUND_S = 5.0
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "1"},
    },
}
ACCEPT = {"Accept": "application/json, text/event-stream"}


@pytest.fixture(scope="module")
def crowded(home, keys):
    env = {
        "QDISPATCH_EXTRA_BACKENDS": SLOW,
        "QDISPATCH_SLOW_SECONDS": str(SLOW_SECONDS),
        "QDISPATCH_MCP_CALLS_PER_USER": str(CALLS_PER_USER),
        "QDISPATCH_MCP_CALL_WAIT_SECONDS": "2",
        "QDISPATCH_MCP_SESSIONS_PER_USER": str(SESSIONS_PER_USER),
    }
    with running_server(home, keys, **env) as server:
        yield server


async def slow_run(client, experiment_id: str) -> str:
    result = await client.call_tool(
        "run_circuits_on_qpu_or_simulator",
        {
            "experiment_id": experiment_id,
            "circuits_qasm": ["OPENQASM 2.0;\nqreg q[1];\ncreg c[1];\nmeasure q -> c;\n"],
            "device_id": "slow_simulator",
            "shots": 10,
        },
    )
    return "ok" if not result.is_error else result.content[0].text


async def test_a_flood_of_slow_calls_from_one_user_leaves_the_other_answered(crowded):
    outcomes: list[str] = []
    bob_waited: list[float] = []
    async with session(crowded.url, crowded.keys["alice"], "auto") as alice:
        exp = await alice.call_tool("create_new_experiment", {"name": "flood"})
        exp_id = exp.structured_content["id"]

        async def one() -> None:
            outcomes.append(await slow_run(alice, exp_id))

        async def bob() -> None:
            await anyio.sleep(1.0)  # Alice's calls hold their slots and queue by now
            start = time.monotonic()
            async with session(crowded.url, crowded.keys["bob"], "legacy") as client:
                listed = await client.call_tool("list_experiments", {})
            bob_waited.append(time.monotonic() - start)
            assert not listed.is_error

        async with anyio.create_task_group() as group:
            for _ in range(40):
                group.start_soon(one)
            group.start_soon(bob)
    print(f"bob waited {bob_waited[0]:.2f} s while alice flooded")
    assert bob_waited[0] < BOB_BOUND_S
    assert outcomes.count("ok") >= CALLS_PER_USER
    refused = [o for o in outcomes if o != "ok"]
    assert refused and all(o.startswith("429 too many concurrent calls") for o in refused)
    assert f"at most {CALLS_PER_USER} tool calls of one user" in refused[0]


async def test_sessions_per_user_are_capped_and_others_still_open_theirs(crowded):
    async with contextlib.AsyncExitStack() as stack:
        held = [
            await stack.enter_async_context(session(crowded.url, crowded.keys["alice"], "legacy"))
            for _ in range(SESSIONS_PER_USER)
        ]
        assert len(held) == SESSIONS_PER_USER
        alice = {"Authorization": f"Bearer {crowded.keys['alice']}", **ACCEPT}
        async with httpx2.AsyncClient(timeout=30) as http:
            refused = await http.post(crowded.url, json=INITIALIZE, headers=alice)
        assert refused.status_code == 429
        assert "too many open sessions" in refused.json()["error"]["message"]
        # Bob is not locked out, and his session answers.
        async with session(crowded.url, crowded.keys["bob"], "legacy") as bob:
            assert not (await bob.call_tool("list_experiments", {})).is_error
    # Alice closed hers (the client sends DELETE): she may open sessions again.
    async with session(crowded.url, crowded.keys["alice"], "legacy") as again:
        assert not (await again.call_tool("list_experiments", {})).is_error


async def test_a_session_answers_only_the_user_who_opened_it(crowded):
    alice = {"Authorization": f"Bearer {crowded.keys['alice']}", **ACCEPT}
    bob = {"Authorization": f"Bearer {crowded.keys['bob']}", **ACCEPT}
    async with httpx2.AsyncClient(timeout=30) as http:
        opened = await http.post(crowded.url, json=INITIALIZE, headers=alice)
        assert opened.status_code == 200
        session_id = opened.headers["mcp-session-id"]
        listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
        hijack = {**bob, "mcp-session-id": session_id, "mcp-protocol-version": "2025-06-18"}
        answered = await http.post(crowded.url, json=listing, headers=hijack)
        assert answered.status_code == 404  # as if it did not exist
        owner = {**alice, "mcp-session-id": session_id, "mcp-protocol-version": "2025-06-18"}
        closed = await http.delete(crowded.url, headers=owner)
        assert closed.status_code < 300
