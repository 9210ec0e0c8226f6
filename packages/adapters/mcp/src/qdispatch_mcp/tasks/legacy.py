"""Tasks on the 2025-11-25 wire, where they were part of the core protocol: the server declares
a `tasks` capability in `initialize`, the job-creating tools declare `execution.taskSupport:
"optional"` in `tools/list`, and a `tools/call` carrying a `task` field gets a
`CreateTaskResult` (`{"task": {...}}`) instead of the tool's result.

The SDK serves 2025-11-25 without tasks (its version tables leave them out, and it checks a
`tools/call` result against `CallToolResult`), so this is a server middleware: it sees the
request before the SDK checks it and shapes the answer after, leaving every other request as it
was. The task methods themselves are the extension's (extension.py), restricted by version.
"""

from __future__ import annotations

from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import METHOD_NOT_FOUND

from qdispatch_mcp.calls import Runtime
from qdispatch_mcp.tasks.extension import read_task, submitted_job
from qdispatch_mcp.tasks.states import JOB_TOOLS, task_of

TASKS_VERSION = "2025-11-25"
CAPABILITY: dict[str, Any] = {"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}}
IMMEDIATE_RESPONSE = "io.modelcontextprotocol/model-immediate-response"


async def legacy_tasks(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    if ctx.method == "initialize":
        return _with_capability(await call_next(ctx))
    if ctx.protocol_version != TASKS_VERSION:
        return await call_next(ctx)
    if ctx.method == "tools/list":
        return _with_task_support(await call_next(ctx))
    params = ctx.params or {}
    if ctx.method == "tools/call" and params.get("task") is not None:
        return await _create_task(ctx, call_next, params)
    return await call_next(ctx)


def _with_capability(result: HandlerResult) -> HandlerResult:
    if isinstance(result, dict) and result.get("protocolVersion") == TASKS_VERSION:
        result.setdefault("capabilities", {})["tasks"] = CAPABILITY
    return result


def _with_task_support(result: HandlerResult) -> HandlerResult:
    if isinstance(result, dict):
        for tool in result.get("tools", ()):
            if tool.get("name") in JOB_TOOLS:
                tool["execution"] = {"taskSupport": "optional"}
    return result


async def _create_task(
    ctx: ServerRequestContext[Any, Any], call_next: CallNext, params: Any
) -> HandlerResult:
    if params.get("name") not in JOB_TOOLS:
        # The specification's answer for a tool whose taskSupport is absent ("forbidden").
        raise MCPError(
            code=METHOD_NOT_FOUND,
            message=f"Tool {params.get('name')!r} does not support task-augmented calls; "
            f"tools that do: {', '.join(sorted(JOB_TOOLS))}",
        )
    result = await call_next(ctx)
    job_id = submitted_job(result)
    if job_id is None:  # refused (a 4xx tool error): nothing was stored, so no task
        return result
    job = await read_task(ctx, job_id)
    runtime: Runtime = ctx.lifespan_context
    task = task_of(job, "v1")
    told = (task["status"], task["statusMessage"])  # what the client learns from this answer
    runtime.watchers.watch(runtime, ctx.session, runtime.user_of(ctx.request), job_id, told)
    created: dict[str, Any] = {"task": task}
    content = (
        result.get("structuredContent")
        if isinstance(result, dict)
        else getattr(result, "structured_content", None)  # a CallToolResult
    )
    context = content.get("context") if isinstance(content, dict) else None
    if context:  # what a host may hand the model while the task runs
        created["_meta"] = {IMMEDIATE_RESPONSE: context}
    return created
