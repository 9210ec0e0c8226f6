"""Shared pieces of the security tests: the installed `qdispatch mcp` over stdio under an
address-space limit, the official client, and a memory-guarded child Python.

A regression that brings a bomb back must fail a test, not take the machine down: every server
and every child that reads hostile input runs under RLIMIT_AS (4 GiB), so an allocation beyond
it fails inside that process only.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters, stdio_client

from tests.adapters.mcp.servers import qdispatch_command, server_env

GIB = 1024**3
MEMORY_LIMIT = 4 * GIB

# Sets the limit, then becomes the command given after it (argv[1:]).
_LIMITED = (
    "import os, resource, sys; "
    f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT})); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def limited(argv: list[str]) -> list[str]:
    """`argv` run under the address-space limit."""
    return [sys.executable, "-c", _LIMITED, *argv]


@contextlib.asynccontextmanager
async def stdio_server(home: Path, errlog: Path, **env: str) -> AsyncIterator[Client]:
    """The installed `qdispatch mcp` (stdio), memory-limited, on a fresh home, with the SDK's
    client; its stderr (the server's log) goes to `errlog`."""
    params = StdioServerParameters(
        command=sys.executable,
        args=limited([qdispatch_command(), "mcp"])[1:],
        env=server_env(home, **env),
    )
    with errlog.open("w") as log:
        async with Client(stdio_client(params, errlog=log)) as client:
            yield client


async def tool(client: Client, tool_name: str, **arguments: Any) -> tuple[bool, str, float]:
    """(is_error, text, seconds) of one call."""
    started = time.monotonic()
    result = await client.call_tool(tool_name, arguments)
    return bool(result.is_error), result.content[0].text, time.monotonic() - started


async def experiment(client: Client, name: str = "security") -> str:
    failed, text, _ = await tool(client, "create_new_experiment", name=name)
    assert not failed, text
    return json.loads(text)["id"]


async def still_answers(client: Client) -> None:
    """The server takes another call right after a hostile one."""
    failed, text, _ = await tool(client, "list_experiments")
    assert not failed, text


def guarded_python(code: str, timeout: float = 300) -> dict[str, Any]:
    """Run `code` in a child Python under the address-space limit; it must print one JSON
    document last. A crash or a timeout fails the calling test with the child's output."""
    script = textwrap.dedent(code)
    try:
        done = subprocess.run(
            limited([sys.executable, "-c", script]),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"the child ran past {timeout} s: {exc.stdout}{exc.stderr}") from None
    assert done.returncode == 0, (
        f"exit {done.returncode}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
