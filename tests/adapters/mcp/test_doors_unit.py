"""The HTTP door's parts, one at a time: call slots, the key cache, which requests open a
session, the access log's path, and the text that goes with a large result."""

from __future__ import annotations

import time

import anyio
import pytest
from pydantic import BaseModel

from qdispatch_core.domain import User
from qdispatch_mcp.access import printable_path
from qdispatch_mcp.auth import KnownKeys
from qdispatch_mcp.calls import TEXT_COPY_BYTES, CallSlots, TooManyCalls, success
from qdispatch_mcp.sessions import opens_a_session

pytestmark = pytest.mark.anyio
ALICE = User(id="usr_a", name="alice", created_at=None)  # type: ignore[arg-type]


async def test_a_user_beyond_their_slots_waits_then_gets_a_429_and_others_do_not_wait():
    slots = CallSlots(per_user=2, wait_seconds=0.3)
    held = anyio.Event()
    release = anyio.Event()

    async def hold(user: str) -> None:
        async with slots.slot(user):
            held.set()
            await release.wait()

    async with anyio.create_task_group() as group:
        group.start_soon(hold, "a")
        group.start_soon(hold, "a")
        await held.wait()
        await anyio.sleep(0.05)
        start = time.monotonic()
        with pytest.raises(TooManyCalls) as refused:
            async with slots.slot("a"):
                pass
        assert 0.25 <= time.monotonic() - start < 5
        assert str(refused.value).startswith("429 too many concurrent calls: at most 2")
        with anyio.fail_after(1):  # bob is not behind alice
            async with slots.slot("b"):
                pass
        release.set()
    async with slots.slot("a"):  # freed again
        pass


async def test_a_waiting_call_gets_the_slot_a_finished_call_frees():
    slots = CallSlots(per_user=1, wait_seconds=5)
    order: list[str] = []

    async def first() -> None:
        async with slots.slot("a"):
            await anyio.sleep(0.2)
            order.append("first")

    async with anyio.create_task_group() as group:
        group.start_soon(first)
        await anyio.sleep(0.05)
        async with slots.slot("a"):
            order.append("second")
    assert order == ["first", "second"]


def test_known_keys_remember_by_hash_and_forget_after_the_ttl():
    keys = KnownKeys(ttl=0.2, size=2)
    keys.put("qdk_one", ALICE)
    assert keys.get("qdk_one") is ALICE and keys.get("qdk_two") is None
    assert "qdk_one" not in repr(keys._users)  # only the SHA-256 is kept
    time.sleep(0.25)
    assert keys.get("qdk_one") is None
    for key in ("k1", "k2", "k3"):
        keys.put(key, ALICE)
    assert keys.get("k1") is None and keys.get("k3") is ALICE  # the oldest went first


def scope(method: str, **headers: str) -> dict:
    return {
        "type": "http",
        "method": method,
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }


@pytest.mark.parametrize(
    ("request_scope", "opens"),
    [
        (scope("POST"), True),
        (scope("POST", **{"mcp-protocol-version": "2025-06-18"}), True),
        (scope("POST", **{"mcp-session-id": "abc"}), False),
        (scope("POST", **{"mcp-protocol-version": "2026-07-28"}), False),  # no sessions
        (scope("GET"), False),
        (scope("DELETE"), False),
    ],
)
def test_which_requests_open_a_session(request_scope, opens):
    assert opens_a_session(request_scope) is opens


def test_the_access_log_never_sees_a_query_and_escapes_control_characters():
    assert printable_path({"path": "/mcp", "query_string": b"api_key=qdk_x"}) == "/mcp"
    forged = printable_path({"path": "/mcp\n2026 INFO forged line"})
    assert "\n" not in forged and "\\n" in forged
    assert len(printable_path({"path": "/" + "a" * 500})) < 120


class Big(BaseModel):
    payload: str
    context: str


def test_a_large_result_is_not_repeated_as_text():
    small = success(Big(payload="x" * 100, context="what it is"))
    assert '"payload"' in small.content[0].text  # small: the JSON, for text-only clients
    large = success(Big(payload="x" * (TEXT_COPY_BYTES + 1), context="what it is"))
    text = large.content[0].text
    assert text.startswith("what it is") and len(text) < 1000
    assert large.structured_content["payload"] == "x" * (TEXT_COPY_BYTES + 1)
