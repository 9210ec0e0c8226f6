"""The client side of MCP Tasks for tests, on the SDK's client: its extension framework
(`ClientExtension` with a `ResultClaim` for `resultType: "task"`, 2026-07-28) and typed requests
for the `tasks/*` methods (the SDK has no Tasks client of its own)."""

from __future__ import annotations

from typing import Any, Literal

from mcp import Client
from mcp.client.extension import ClaimContext, ClientExtension, ResultClaim
from mcp.types import CallToolResult
from mcp_types import PaginatedRequestParams, Request, RequestParams, Result
from pydantic import ConfigDict

TASKS = "io.modelcontextprotocol/tasks"


class CreatedTask(Result):
    """A CreateTaskResult of the extension: the task's fields at the top level."""

    model_config = ConfigDict(extra="allow")
    result_type: Literal["task"] = "task"
    task_id: str
    status: str


class Answer(Result):
    """Any result, every field kept (camelCase, as on the wire)."""

    model_config = ConfigDict(extra="allow")

    def wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json", exclude_none=False)


class TaskParams(RequestParams):
    task_id: str


class UpdateParams(RequestParams):
    task_id: str
    input_responses: dict[str, Any]


class GetTask(Request[TaskParams, Literal["tasks/get"]]):
    method: Literal["tasks/get"] = "tasks/get"
    params: TaskParams


class CancelTask(Request[TaskParams, Literal["tasks/cancel"]]):
    method: Literal["tasks/cancel"] = "tasks/cancel"
    params: TaskParams


class TaskResult(Request[TaskParams, Literal["tasks/result"]]):
    method: Literal["tasks/result"] = "tasks/result"
    params: TaskParams


class UpdateTask(Request[UpdateParams, Literal["tasks/update"]]):
    method: Literal["tasks/update"] = "tasks/update"
    params: UpdateParams


class ListTasks(Request[PaginatedRequestParams, Literal["tasks/list"]]):
    method: Literal["tasks/list"] = "tasks/list"
    params: PaginatedRequestParams


async def _not_resolved(result: CreatedTask, ctx: ClaimContext) -> CallToolResult:
    raise AssertionError("tests take the task themselves (allow_claimed=True)")


class TasksClient(ClientExtension):
    """Declares the extension on every request and claims `resultType: "task"`."""

    identifier = TASKS

    def claims(self) -> list[ResultClaim[Any]]:
        return [ResultClaim(result_type="task", model=CreatedTask, resolve=_not_resolved)]


async def get_task(client: Client, task_id: str) -> dict[str, Any]:
    return (
        await client.session.send_request(GetTask(params=TaskParams(task_id=task_id)), Answer)
    ).wire()


async def cancel_task(client: Client, task_id: str) -> dict[str, Any]:
    request = CancelTask(params=TaskParams(task_id=task_id))
    return (await client.session.send_request(request, Answer)).wire()


async def task_result(client: Client, task_id: str) -> dict[str, Any]:
    request = TaskResult(params=TaskParams(task_id=task_id))
    return (await client.session.send_request(request, Answer)).wire()


async def list_tasks(client: Client, cursor: str | None = None) -> dict[str, Any]:
    request = ListTasks(params=PaginatedRequestParams(cursor=cursor))
    return (await client.session.send_request(request, Answer)).wire()


async def update_task(client: Client, task_id: str) -> dict[str, Any]:
    params = UpdateParams(task_id=task_id, input_responses={"nothing": {"action": "cancel"}})
    return (await client.session.send_request(UpdateTask(params=params), Answer)).wire()
