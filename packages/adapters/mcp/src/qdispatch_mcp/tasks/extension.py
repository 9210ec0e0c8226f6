"""MCP Tasks backed by the job store: a job-creating tool call may become a task whose id is
the job id, and `tasks/*` read, wait for, list and cancel the caller's jobs.

Registered as one SDK extension (`mcp.server.extension`, SEP-2133): the request methods for both
revisions (states.py) and the `tools/call` interceptor of the extension revision. The 2025-11-25
revision's task creation (a `task` field on `tools/call`, a `tasks` capability) lives in
`legacy.py`, since that wire predates extensions. Nothing is kept in memory: every answer is
read from the database, so tasks survive a restart of the server and any server sharing the
database answers for them; the caller is resolved as for the tools, so another user's task
reads as not found.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anyio
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult
from mcp_types import (
    INVALID_PARAMS,
    CallToolRequestParams,
    CancelTaskRequestParams,
    GetTaskPayloadRequestParams,
    GetTaskRequestParams,
    PaginatedRequestParams,
    RequestParams,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import Field

from qdispatch_mcp.calls import Runtime, run_for
from qdispatch_mcp.tasks import jobs
from qdispatch_mcp.tasks.states import (
    JOB_TOOLS,
    RELATED_TASK,
    TASKS_EXTENSION,
    Revision,
    is_final,
    task_of,
    task_status,
)

V1_ONLY = frozenset({"2025-11-25"})
BOTH = V1_ONLY | frozenset(MODERN_PROTOCOL_VERSIONS)
# tasks/result waits for the job as wait_for_job does: fast at first, then backing off.
FIRST_POLL_S = 0.02
LAST_POLL_S = 1.0


class UpdateTaskRequestParams(RequestParams):
    task_id: str
    input_responses: dict[str, Any] = Field(default_factory=dict)


def revision_of(ctx: ServerRequestContext[Any, Any]) -> Revision:
    return "v2" if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS else "v1"


def declared_tasks(ctx: ServerRequestContext[Any, Any]) -> bool:
    """Whether this request's client declared the extension (per request on 2026-07-28)."""
    capabilities = ctx.session.client_capabilities
    return bool(
        capabilities and capabilities.extensions and TASKS_EXTENSION in capabilities.extensions
    )


async def call(ctx: ServerRequestContext[Any, Any], fn: Any, *args: Any) -> Any:
    """Run a blocking job function for the caller; an unknown task is the specifications'
    -32602 (Invalid params), worded as they suggest."""
    runtime: Runtime = ctx.lifespan_context
    try:
        return await run_for(runtime, ctx.request, fn, *args)
    except jobs.TaskNotFound:
        raise MCPError(
            code=INVALID_PARAMS, message="Failed to retrieve task: Task not found"
        ) from None


async def read_task(ctx: ServerRequestContext[Any, Any], task_id: str) -> Any:
    return await call(ctx, jobs.read, task_id)


async def finished_result(ctx: ServerRequestContext[Any, Any], task_id: str) -> CallToolResult:
    runtime: Runtime = ctx.lifespan_context
    return await call(ctx, jobs.result_of(runtime.pager), task_id)


async def wait_until_final(ctx: ServerRequestContext[Any, Any], task_id: str) -> None:
    delay = FIRST_POLL_S
    while not is_final(await read_task(ctx, task_id)):
        await anyio.sleep(delay)
        delay = min(delay * 1.5, LAST_POLL_S)


# -- the methods ---------------------------------------------------------------------------


async def get_task(ctx: ServerRequestContext[Any, Any], params: GetTaskRequestParams) -> dict:
    job = await read_task(ctx, params.task_id)
    revision = revision_of(ctx)
    task = task_of(job, revision)
    if revision == "v2" and task["status"] == "completed":
        # The extension inlines the finished result: no tasks/result there.
        result = await finished_result(ctx, params.task_id)
        task["result"] = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    return task


async def get_task_result(
    ctx: ServerRequestContext[Any, Any], params: GetTaskPayloadRequestParams
) -> dict:
    """2025-11-25: block until the task is final, then return what the tool call would have
    returned had it waited: the finished job, as get_job_results_and_status gives it."""
    await wait_until_final(ctx, params.task_id)
    result = await finished_result(ctx, params.task_id)
    data = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    data["_meta"] = {**data.get("_meta", {}), RELATED_TASK: {"taskId": params.task_id}}
    return data


async def list_tasks(ctx: ServerRequestContext[Any, Any], params: PaginatedRequestParams) -> dict:
    offset = _offset(params.cursor)
    found, more = await call(ctx, jobs.page_of_jobs, offset)
    page: dict[str, Any] = {"tasks": [task_of(job, "v1") for job in found]}
    if more:
        page["nextCursor"] = str(offset + len(found))
    return page


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.isdigit() or len(cursor) > 9:
        raise MCPError(code=INVALID_PARAMS, message="Invalid cursor: use nextCursor as given")
    return int(cursor)


async def cancel_task(ctx: ServerRequestContext[Any, Any], params: CancelTaskRequestParams) -> dict:
    revision = revision_of(ctx)
    if revision == "v1":
        # 2025-11-25: a final task cannot be cancelled, and the reply is the cancelled task.
        before = await read_task(ctx, params.task_id)
        status = task_status(before, "v1")
        if status in ("completed", "failed", "cancelled"):
            raise MCPError(
                code=INVALID_PARAMS, message=f"Cannot cancel task: it is already {status}"
            )
    job = await call(ctx, jobs.cancel, params.task_id)
    return task_of(job, "v1") if revision == "v1" else {}


async def update_task(ctx: ServerRequestContext[Any, Any], params: UpdateTaskRequestParams) -> dict:
    # qdispatch never asks for input during a job: responses are acknowledged and ignored, as
    # the extension asks for responses to requests that are not outstanding.
    await read_task(ctx, params.task_id)
    return {}


# -- the extension --------------------------------------------------------------------------


class TasksExtension(Extension):
    identifier = TASKS_EXTENSION

    def methods(self) -> Sequence[MethodBinding]:
        return (
            MethodBinding("tasks/get", GetTaskRequestParams, get_task, BOTH),
            MethodBinding("tasks/cancel", CancelTaskRequestParams, cancel_task, BOTH),
            MethodBinding("tasks/result", GetTaskPayloadRequestParams, get_task_result, V1_ONLY),
            MethodBinding("tasks/list", PaginatedRequestParams, list_tasks, V1_ONLY),
            MethodBinding(
                "tasks/update",
                UpdateTaskRequestParams,
                update_task,
                frozenset(MODERN_PROTOCOL_VERSIONS),
            ),
        )

    async def intercept_tool_call(
        self,
        params: CallToolRequestParams,
        ctx: ServerRequestContext[Any, Any],
        call_next: CallNext,
    ) -> HandlerResult:
        """2026-07-28: a job-creating call of a client that declared the extension on this
        request returns the job as a task (`resultType: "task"`) once it is stored. A refused
        request stays the tool error it is: no job, so no task."""
        modern = ctx.protocol_version in MODERN_PROTOCOL_VERSIONS
        if not (modern and params.name in JOB_TOOLS and declared_tasks(ctx)):
            return await call_next(ctx)
        result = await call_next(ctx)
        job_id = submitted_job(result)
        if job_id is None:
            return result
        job = await read_task(ctx, job_id)
        return {"resultType": "task", **task_of(job, "v2")}


def submitted_job(result: Any) -> str | None:
    """The job id of a successful run tool result (a model or its wire dict), else None."""
    if isinstance(result, CallToolResult):
        is_error, content = result.is_error, result.structured_content
    elif isinstance(result, dict):
        is_error, content = bool(result.get("isError")), result.get("structuredContent")
    else:
        return None
    if is_error or not isinstance(content, dict):
        return None
    job_id = content.get("job_id")
    return job_id if isinstance(job_id, str) else None
