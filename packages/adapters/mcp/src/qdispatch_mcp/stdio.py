"""Serving on stdio, and stopping cleanly: when stdin closes, or on SIGTERM or SIGINT, the
server leaves its loop at once and its lifespan closes the App, whose worker hands the jobs it
holds back (leases cleared) for another worker to take over without waiting for them to expire.

Two things in the SDK's own `run_stdio_async` stood in the way. It reads stdin on an AnyIO
worker thread, which a cancelled server waits for and which keeps the process alive, so after a
signal it hung until the client wrote another line or closed the pipe; here stdin is read on a
daemon thread the server leaves behind. And SIGTERM, which
clients and supervisors send, killed the process outright; here it stops the server as SIGINT
does. The SDK still owns the protocol and stdout (diverted from fd 1, so that stray prints
cannot corrupt it).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
from mcp.server import MCPServer
from mcp.server.stdio import stdio_server

log = logging.getLogger("qdispatch_mcp.stdio")


class StdinLines:
    """stdin's lines, read on a daemon thread of their own: a blocked read cannot be
    interrupted, and a stopping server must neither wait for it nor be kept alive by it (the
    SDK's reader, an AnyIO worker thread, did both)."""

    def __init__(self, binary: io.BufferedReader) -> None:
        self._text = io.TextIOWrapper(binary, encoding="utf-8", errors="replace")
        self._lines: asyncio.Queue[str | None] | None = None

    def __aiter__(self) -> AsyncIterator[str]:
        return self

    async def __anext__(self) -> str:
        if self._lines is None:
            self._lines = asyncio.Queue()
            loop = asyncio.get_running_loop()
            threading.Thread(
                target=self._read, args=(loop, self._lines), name="qdispatch-stdin", daemon=True
            ).start()
        line = await self._lines.get()
        if line is None:
            raise StopAsyncIteration
        return line

    def _read(self, loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]) -> None:
        try:
            for line in self._text:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            loop.call_soon_threadsafe(lines.put_nowait, None)
        except (RuntimeError, OSError, ValueError):
            pass  # the server is gone (its loop closed) or stdin broke: nothing to deliver


@contextmanager
def claimed_stdin() -> Iterator[io.BufferedReader]:
    """The protocol's stdin on a private descriptor, with fd 0 pointed at the null device
    while serving, as the SDK does: children and libraries that read stdin read nothing, not
    the client's messages. The private descriptor is never closed: the reader thread may still
    be blocked on it after the server has stopped."""
    private = os.dup(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    try:
        yield os.fdopen(private, "rb", closefd=False)  # type: ignore[misc]
    finally:
        os.dup2(private, 0)


async def _stop_on_signals(scope: anyio.CancelScope) -> None:
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async for signum in signals:
            log.info("%s: stopping (the worker hands its jobs back)", signal.Signals(signum).name)
            scope.cancel()
            return


async def serve_stdio(server: MCPServer[Any]) -> None:
    """Serve `server` on stdin/stdout until stdin closes or a signal comes."""
    lowlevel = server._lowlevel_server  # the SDK's own run_stdio_async does exactly this
    with claimed_stdin() as stdin:
        async with anyio.create_task_group() as group:
            group.start_soon(_stop_on_signals, group.cancel_scope)
            async with stdio_server(stdin=StdinLines(stdin)) as (read_stream, write_stream):  # type: ignore[arg-type]
                await lowlevel.run(
                    read_stream, write_stream, lowlevel.create_initialization_options()
                )
            group.cancel_scope.cancel()  # stdin closed: stop listening for signals


def run_stdio(server: MCPServer[Any]) -> None:
    anyio.run(serve_stdio, server)
    sys.stdout.flush()
