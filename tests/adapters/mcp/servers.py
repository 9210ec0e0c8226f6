"""Helpers that serve the MCP app over HTTP (in a thread or a subprocess) and talk to it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx2
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from qdispatch import App
from qdispatch_mcp.http import http_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_in_thread(app: App, port: int) -> Iterator[str]:
    """The HTTP app on loopback in this process (so tests can reach into the fake app)."""
    config = uvicorn.Config(http_app(lambda: app), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "the HTTP server did not start"
    try:
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        server.should_exit = True
        thread.join(15)


@contextlib.asynccontextmanager
async def http_session(url: str, key: str | None) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(60, read=120)) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


def server_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QDISPATCH_")}
    env.update({"QDISPATCH_HOME": str(home), "QDISPATCH_AUTOSTART_WORKER": "0", **extra})
    return env


def qdispatch_command() -> str:
    """The installed `qdispatch` console script, next to this interpreter in the venv."""
    exe = shutil.which("qdispatch", path=str(Path(sys.executable).parent))
    assert exe is not None, f"no qdispatch command next to {sys.executable}"
    return exe


@contextlib.contextmanager
def serve_in_subprocess(
    home: Path, port: int, log: Path, *, db: str | None = None, **env: str
) -> Iterator[str]:
    """`qdispatch mcp --transport http` on loopback, as an operator starts it, with its stdout
    and stderr kept in `log`; `env` adds to the server's environment. Stopped with SIGTERM,
    which must shut it down promptly and cleanly."""
    args = [qdispatch_command(), "mcp", "--transport", "http"]
    args += ["--host", "127.0.0.1", "--port", str(port)]
    if db:
        args += ["--db", db]
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, env=server_env(home, **env), stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        _wait_until_listening(process, url, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
            tail = log.read_text()[-3000:]
            raise AssertionError(f"SIGTERM did not stop the server: {tail}") from None
    # uvicorn shuts down (the app's lifespan stops its worker), then re-raises the signal.
    said = log.read_text()
    assert process.returncode in (0, -signal.SIGTERM), f"exit {process.returncode}: {said[-3000:]}"
    assert "Application shutdown complete" in said, said[-3000:]


def _wait_until_listening(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text()[-3000:]}")
        try:
            if httpx2.post(url, json={}, timeout=1).status_code == 401:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not start: {log.read_text()[-3000:]}")
