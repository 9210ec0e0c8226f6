"""Task status notifications (2025-11-25: `notifications/tasks/status`) while the client that
created the task is connected: a watcher per task reads its job until it is final and tells
the client each change of status or progress. Notifications are optional in the specification
(clients still poll `tasks/get`), so a watcher that cannot send ends quietly, and a user has at
most `PER_USER` watchers; tasks beyond that are answered to polls only."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import anyio
import anyio.abc
from mcp_types import TaskStatusNotification, TaskStatusNotificationParams

from qdispatch_core.domain import User
from qdispatch_mcp.calls import Runtime, _in_thread
from qdispatch_mcp.tasks import jobs
from qdispatch_mcp.tasks.states import is_final, task_of

log = logging.getLogger("qdispatch_mcp.tasks")

PER_USER = 32
FIRST_POLL_S = 0.1
LAST_POLL_S = 2.0


class TaskWatchers:
    def __init__(self, group: anyio.abc.TaskGroup) -> None:
        self.group = group
        self.watching: Counter[str] = Counter()

    def watch(
        self, runtime: Runtime, session: Any, user: User, job_id: str, told: tuple[str, str]
    ) -> bool:
        """Start telling `session` about `job_id`'s changes since the state it was `told` (the
        task's status and message in the creation's answer); False if the user has too many."""
        if self.watching[user.id] >= PER_USER:
            return False
        self.watching[user.id] += 1
        self.group.start_soon(self._watch, runtime, session, user, job_id, told)
        return True

    async def _watch(
        self, runtime: Runtime, session: Any, user: User, job_id: str, told: tuple[str, str]
    ) -> None:
        try:
            await follow(runtime, session, user, job_id, told)
        except Exception as exc:  # the client went away, or the job: nothing more to tell
            log.debug("stopped watching task %s: %r", job_id, exc)
        finally:
            self.watching[user.id] -= 1
            if not self.watching[user.id]:
                del self.watching[user.id]


async def follow(
    runtime: Runtime, session: Any, user: User, job_id: str, told: tuple[str, str]
) -> None:
    # Compared with what the creation's answer said, not with the first read: a small job may
    # end before that read, and its completion must still be told (issue 15's quick jobs).
    last = told
    delay = FIRST_POLL_S
    while True:
        job = await _in_thread(jobs.read, runtime.services, user, job_id)
        task = task_of(job, "v1")
        seen = (task["status"], task["statusMessage"])
        if seen != last:
            params = TaskStatusNotificationParams.model_validate(task)
            await session.send_notification(TaskStatusNotification(params=params))
            last = seen
            delay = FIRST_POLL_S
        if is_final(job) or task["status"] != "working":
            return
        await anyio.sleep(delay)
        delay = min(delay * 1.5, LAST_POLL_S)
