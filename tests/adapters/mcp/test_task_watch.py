"""Task status notifications start from what the creation's answer told the client: a job that
ends before the watcher first looks is still told as completed (a small local job can end
within milliseconds, issue 15)."""

from __future__ import annotations

import pytest

from qdispatch_mcp.tasks import watch

pytestmark = pytest.mark.anyio


class Runtime:
    services = None


class Session:
    def __init__(self) -> None:
        self.sent: list = []

    async def send_notification(self, notification) -> None:
        self.sent.append(notification)


def task(status: str, message: str) -> dict:
    when = "2026-12-06T20:00:00Z"
    return {
        "taskId": "job_1", "status": status, "statusMessage": message, "createdAt": when,
        "lastUpdatedAt": when, "ttl": None, "pollInterval": 1000,
    }  # fmt: skip


@pytest.fixture
def reads(monkeypatch):
    """The job's states the watcher reads, one per look."""
    states: list[dict] = []

    async def in_thread(function, *args):
        return states.pop(0)

    monkeypatch.setattr(watch, "_in_thread", in_thread)
    monkeypatch.setattr(watch, "task_of", lambda job, revision: job)
    monkeypatch.setattr(watch, "is_final", lambda job: job["status"] != "working")
    monkeypatch.setattr(watch, "FIRST_POLL_S", 0.0)
    return states


async def test_a_job_done_before_the_first_look_is_told_completed(reads):
    reads.append(task("completed", "Done"))
    session = Session()
    await watch.follow(Runtime(), session, None, "job_1", ("working", "Submitted"))
    assert [n.params.status for n in session.sent] == ["completed"]


async def test_each_change_is_told_once_and_the_creations_state_not_again(reads):
    reads.extend(
        [task("working", "Submitted"), task("working", "Running"), task("working", "Running"),
         task("completed", "Done")]
    )  # fmt: skip
    session = Session()
    await watch.follow(Runtime(), session, None, "job_1", ("working", "Submitted"))
    assert [(n.params.status, n.params.status_message) for n in session.sent] == [
        ("working", "Running"),
        ("completed", "Done"),
    ]
