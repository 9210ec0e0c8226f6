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
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel

from qdispatch import App
from qdispatch.worker import Worker
from qdispatch_core.domain import User
from qdispatch_core.errors import BadRequest, QDispatchError, Unauthorized
from qdispatch_core.redaction import live_secrets
from qdispatch_core.rules.text import QUOTE_MAX, quote
from qdispatch_core.schemas import parse
from qdispatch_core.usecases import Services
from qdispatch_core.usecases.execution import scrub
from qdispatch_mcp.results import Pager
from qdispatch_mcp.threads import CALLS

if TYPE_CHECKING:
    from qdispatch_mcp.tasks.watch import TaskWatchers

log = logging.getLogger("qdispatch_mcp")

# The one text an unexpected failure shows: the details stay in the server's log.
INTERNAL_ERROR = (
    "500 internal error: the server failed unexpectedly while handling this call; nothing "
    "about the cause is shown here. Retry once; if it fails again, report it with the time."
)

# Where the HTTP auth middleware leaves the caller for the tools (ASGI scope state).
USER_STATE_KEY = "qdispatch_user"

# The text content repeats the structured content (as the MCP specification advises, for
# clients that read only text) up to this size; beyond it the text is the result's `context`,
# so that one reply never carries a large payload twice.
TEXT_COPY_BYTES = 64 * 1024

T = TypeVar("T")


class TooManyCalls(QDispatchError):
    """429: the caller already has as many tool calls running as one user may."""

    code = 429


class CallSlots:
    """At most `per_user` blocking tool calls of one user at a time on the HTTP door, so one
    user's flood of slow calls cannot take every thread the server has. A call beyond that
    waits up to `wait_seconds` for one of the user's own calls to end, then is refused with a
    429 that says so; other users never wait for it."""

    def __init__(self, per_user: int, wait_seconds: float) -> None:
        self.per_user = per_user
        self.wait_seconds = wait_seconds
        self._slots: dict[str, anyio.Semaphore] = {}

    @asynccontextmanager
    async def slot(self, user_id: str) -> AsyncIterator[None]:
        slots = self._slots.get(user_id)
        if slots is None:
            slots = self._slots[user_id] = anyio.Semaphore(self.per_user)
        acquired = False
        with anyio.move_on_after(self.wait_seconds):
            await slots.acquire()
            acquired = True
        if not acquired:
            raise TooManyCalls(
                f"too many concurrent calls: at most {self.per_user} tool calls of one user run "
                f"at once, and none of yours ended within {self.wait_seconds:g} s; retry when "
                "one of your calls has returned"
            )
        try:
            yield
        finally:
            slots.release()


@dataclass(frozen=True)
class Runtime:
    """What the server's lifespan hands to every tool call."""

    app: App
    worker: Worker
    default_user: User
    watchers: TaskWatchers
    slots: CallSlots = field(default_factory=lambda: CallSlots(8, 5.0))
    pager: Pager = field(default_factory=lambda: Pager(512 * 1024))

    @classmethod
    def of(cls, app: App, worker: Worker, default_user: User, watchers: TaskWatchers) -> Runtime:
        settings = app.settings
        return cls(
            app=app,
            worker=worker,
            default_user=default_user,
            watchers=watchers,
            slots=CallSlots(settings.mcp_calls_per_user, settings.mcp_call_wait_seconds),
            pager=Pager(settings.mcp_result_bytes),
        )

    @property
    def services(self) -> Services:
        return self.app.services

    def user_for(self, ctx: Context[Runtime]) -> User:
        """The caller: the default local user on stdio and in process; over HTTP, whoever the
        auth middleware resolved. An HTTP request without one is refused, never defaulted."""
        return self.user_of(ctx.request_context.request)

    def user_of(self, request: Any) -> User:
        """The caller of a request (an HTTP request, or None on stdio and in process)."""
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
    for other sessions, progress notifications and cancellation. Over HTTP the call first
    takes one of its user's slots (`CallSlots`)."""
    return await run_for(runtime_of(ctx), ctx.request_context.request, fn, *args)


async def run_for(runtime: Runtime, request: Any, fn: Callable[..., T], *args: Any) -> T:
    """`use_case` for the caller of `request` (None on stdio and in process), from handlers
    that have no tool context (the Tasks methods)."""
    user = runtime.user_of(request)
    if request is None:  # stdio or in process: one local user
        return await _in_thread(fn, runtime.services, user, *args)
    async with runtime.slots.slot(user.id):
        return await _in_thread(fn, runtime.services, user, *args)


async def _in_thread(fn: Callable[..., T], *args: Any) -> T:
    # A cancelled call (the client gave up, or the server is stopping) returns at once and
    # leaves its thread to finish alone: a thread cannot be interrupted, and waiting for it
    # kept a stopping server alive as long as its slowest call (30 s and more). The threads
    # never exit (threads.py says why).
    return await CALLS.run(fn, *args)


def _text(text: str) -> list[TextContent]:
    return [TextContent(type="text", text=text)]


def success(model: BaseModel) -> CallToolResult:
    """The model as structured content; as text too while it is small (`TEXT_COPY_BYTES`),
    else its `context`, which says what it is and how to read the rest."""
    data = model.model_dump(mode="json")
    # Compact: the text is read by models, whose context every byte costs.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if len(text) > TEXT_COPY_BYTES:
        text = (
            f"{data.get('context') or ''}\n\nThe full result ({len(text):,} bytes as JSON) is in "
            "this reply's structured content."
        ).lstrip()
    return CallToolResult(content=_text(text), structured_content=data)


def refusal(text: str) -> CallToolResult:
    return CallToolResult(content=_text(text), is_error=True)


async def respond(
    tool: str, work: Callable[[], Any], *, secrets: Iterable[str] = ()
) -> CallToolResult:
    """Await `work()` and turn its model or its failure into the tool's result.

    A contract error becomes its own text ("404 job_id: …"); anything else becomes the generic
    INTERNAL_ERROR, with the traceback logged after removing the request's credential values.
    While the call runs, those values are masked in every log record (`live_secrets`).
    """
    secrets = list(secrets)
    try:
        with live_secrets(secrets):
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
    meta: dict[str, Any] | None = None,
) -> ContractTool:
    """Register `fn` with its docstring, written for agents, as the description."""
    return ContractTool.from_function(
        fn,
        title=title,
        description=inspect.cleandoc(fn.__doc__ or ""),
        meta=meta,
        annotations=ToolAnnotations(
            title=title,
            read_only_hint=read_only,
            idempotent_hint=idempotent,
            destructive_hint=destructive,
            # Every tool acts on qdispatch's own store; QPU jobs reach out through it.
            open_world_hint=False,
        ),
    )
