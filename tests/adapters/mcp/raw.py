"""Raw JSON-RPC over the real stdio transport: the installed `qdispatch mcp` in a subprocess,
spoken to line by line, for what the SDK's client does not send (2025-11-25 tasks: a `task`
field on tools/call, tasks/get, tasks/result, tasks/list, tasks/cancel)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
from anyio.streams.text import TextReceiveStream

from tests.adapters.mcp.servers import qdispatch_command

PROTOCOL = "2025-11-25"


class RpcError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.code = error.get("code")
        self.message = error.get("message", "")


class RawStdio:
    """One stdio session: requests by id, notifications kept in arrival order."""

    def __init__(self, process: anyio.abc.Process) -> None:
        self.process = process
        self.notifications: list[dict[str, Any]] = []
        self._next = 1
        self._lines = TextReceiveStream(process.stdout)  # type: ignore[arg-type]
        self._buffer = ""

    async def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        await self.process.stdin.send((json.dumps(message) + "\n").encode())

    async def _message(self) -> dict[str, Any]:
        while "\n" not in self._buffer:
            self._buffer += await self._lines.receive()
        line, self._buffer = self._buffer.split("\n", 1)
        return json.loads(line)

    async def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The result of `method`; a JSON-RPC error raises RpcError."""
        ident = self._next
        self._next += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": ident, "method": method}
        if params is not None:
            message["params"] = params
        await self.send(message)
        while True:
            answer = await self._message()
            if "id" not in answer:
                self.notifications.append(answer)
            elif answer["id"] == ident:
                if "error" in answer:
                    raise RpcError(answer["error"])
                return answer["result"]

    async def notified(self, method: str, seconds: float) -> list[dict[str, Any]]:
        """The notifications of `method` so far; when there are none yet, those that arrive
        within `seconds` (a server sends them on its own schedule, not with an answer)."""
        with anyio.move_on_after(seconds):
            while not any(n["method"] == method for n in self.notifications):
                message = await self._message()
                assert "id" not in message, f"an answer to no request: {message}"
                self.notifications.append(message)
        return [n for n in self.notifications if n["method"] == method]

    async def initialize(self, version: str = PROTOCOL) -> dict[str, Any]:
        result = await self.request(
            "initialize",
            {
                "protocolVersion": version,
                "capabilities": {},
                "clientInfo": {"name": "raw-test", "version": "1"},
            },
        )
        await self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return result

    async def call(self, tool: str, arguments: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return await self.request("tools/call", {"name": tool, "arguments": arguments, **extra})


async def open_raw(env: dict[str, str], stderr: Path, *args: str) -> RawStdio:
    """Start `qdispatch mcp` (stdio) with its stderr appended to `stderr`; the caller ends it
    (closing stdin, or a signal) and waits for it."""
    with stderr.open("ab") as log:
        process = await anyio.open_process([qdispatch_command(), "mcp", *args], env=env, stderr=log)
    return RawStdio(process)


async def stopped_within(process: anyio.abc.Process, seconds: float) -> float:
    """Seconds until `process` exited (fails the test past `seconds`)."""
    start = time.monotonic()
    with anyio.fail_after(seconds):
        await process.wait()
    return time.monotonic() - start
