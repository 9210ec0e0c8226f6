"""How a tool call becomes a use-case call and a result: the contract's error texts, no leaks.

The SDK reports a failure as "Error executing tool <name>: …" (and a bad argument with pydantic's
full text, which quotes the offending input — credentials included). The run contract wants a
rejected request to read "400 …", "402 …" or "404 …", naming the field and never a value. So
tools return their `CallToolResult` themselves, and `ContractTool` validates arguments before
the SDK does, answering a bad one with the core's own 400.
"""

from __future__ import annotations

import inspect
import json
import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel

from qdispatch import App
from qdispatch.worker import Worker
from qdispatch_core.domain import User
from qdispatch_core.errors import BadRequest, QDispatchError, Unauthorized
from qdispatch_core.rules.text import QUOTE_MAX, quote
from qdispatch_core.schemas import parse
from qdispatch_core.usecases import Services
from qdispatch_core.usecases.execution import scrub

log = logging.getLogger("qdispatch_mcp")

# The one text an unexpected failure shows: the details stay in the server's log.
INTERNAL_ERROR = (
    "500 internal error: the server failed unexpectedly while handling this call; nothing "
    "about the cause is shown here. Retry once; if it fails again, report it with the time."
)

# Where the HTTP auth middleware leaves the caller for the tools (ASGI scope state).
USER_STATE_KEY = "qdispatch_user"

T = TypeVar("T")


@dataclass(frozen=True)
class Runtime:
    """What the server's lifespan hands to every tool call."""

    app: App
    worker: Worker
    default_user: User

    @property
    def services(self) -> Services:
        return self.app.services

    def user_for(self, ctx: Context[Runtime]) -> User:
        """The caller: the default local user on stdio and in process; over HTTP, whoever the
        auth middleware resolved. An HTTP request without one is refused, never defaulted."""
        request = ctx.request_context.request
        if request is None:
            return self.default_user
        user = getattr(request.state, USER_STATE_KEY, None)
        if not isinstance(user, User):
            raise Unauthorized("missing API key: send 'Authorization: Bearer <key>'")
        return user


def runtime_of(ctx: Context[Runtime]) -> Runtime:
    return ctx.request_context.lifespan_context


async def use_case(ctx: Context[Runtime], fn: Callable[..., T], *args: Any) -> T:
    """Run a (blocking) use case for the caller in a worker thread: the event loop stays free
    for other sessions, progress notifications and cancellation."""
    runtime = runtime_of(ctx)
    user = runtime.user_for(ctx)
    return await anyio.to_thread.run_sync(fn, runtime.services, user, *args)


def _text(text: str) -> list[TextContent]:
    return [TextContent(type="text", text=text)]


def success(model: BaseModel) -> CallToolResult:
    data = model.model_dump(mode="json")
    return CallToolResult(content=_text(json.dumps(data, indent=2)), structured_content=data)


def refusal(text: str) -> CallToolResult:
    return CallToolResult(content=_text(text), is_error=True)


async def respond(
    tool: str, work: Callable[[], Any], *, secrets: Iterable[str] = ()
) -> CallToolResult:
    """Await `work()` and turn its model or its failure into the tool's result.

    A contract error becomes its own text ("404 job_id: …"); anything else becomes the generic
    INTERNAL_ERROR, with the traceback logged after removing the request's credential values.
    """
    try:
        model = await work()
    except QDispatchError as err:
        log.info("tool %s refused: %s", tool, err.code)
        return refusal(str(err))
    except Exception as exc:
        return _failed(tool, exc, secrets)
    except BaseException as exc:
        # Native code's panics (PyO3's PanicException) derive from BaseException; one escaping
        # here killed the SDK's session task group (HTTP) or the server (stdio). Only the
        # process's own exits and cancellation go on up.
        if isinstance(exc, (*_EXITS, anyio.get_cancelled_exc_class())):
            raise
        return _failed(tool, exc, secrets)
    return success(model)


_EXITS = (KeyboardInterrupt, SystemExit, GeneratorExit)


def _failed(tool: str, exc: BaseException, secrets: Iterable[str]) -> CallToolResult:
    details = "".join(traceback.format_exception(exc))
    log.error("tool %s failed unexpectedly:\n%s", tool, scrub(details, _named(secrets)))
    return refusal(INTERNAL_ERROR)


def _named(values: Iterable[str]) -> dict[str, str]:
    return {str(i): v for i, v in enumerate(values)}


class ContractTool(Tool):
    """A tool whose bad arguments are the contract's 400, naming fields and never values.

    Unknown argument names are refused too: a misspelt `shot` silently ignored would run 1024
    shots instead of the ones asked for.
    """

    async def run(
        self, arguments: dict[str, Any], context: Any, convert_result: bool = False
    ) -> Any:
        try:
            self._check(arguments)
        except BadRequest as err:
            log.info("tool %s refused its arguments: %s", self.name, err.field)
            return refusal(str(err))
        return await super().run(arguments, context, convert_result=convert_result)

    def _check(self, arguments: dict[str, Any]) -> None:
        model = self.fn_metadata.arg_model
        known = {f.alias or name for name, f in model.model_fields.items()}
        unknown = sorted(set(arguments) - known)
        if unknown:
            # An argument's name is the caller's text too: a long one is cut.
            name = unknown[0] if len(unknown[0]) <= QUOTE_MAX else quote(unknown[0])
            raise BadRequest(
                f"{name}: unknown argument for {self.name}; accepted: {', '.join(sorted(known))}",
                field=name,
            )
        parse(model, self.fn_metadata.pre_parse_json(arguments))


def contract_tool(
    fn: Callable[..., Any],
    *,
    title: str,
    read_only: bool,
    idempotent: bool = False,
    destructive: bool = False,
) -> ContractTool:
    """Register `fn` with its docstring, written for agents, as the description."""
    return ContractTool.from_function(
        fn,
        title=title,
        description=inspect.cleandoc(fn.__doc__ or ""),
        annotations=ToolAnnotations(
            title=title,
            read_only_hint=read_only,
            idempotent_hint=idempotent,
            destructive_hint=destructive,
            # Every tool acts on qdispatch's own store; QPU jobs reach out through it.
            open_world_hint=False,
        ),
    )
