"""The hostile-input harness: the INSTALLED server, as an attacker on the network meets it.

`qdispatch mcp --transport http` runs in a subprocess on loopback, on a temporary
QDISPATCH_HOME (SQLite + Aer, the real default), under an address-space limit (RLIMIT_AS, set
in the child before it starts) so a regression that makes it allocate without bound dies there
instead of taking the machine down. Two users, alice and bob, are created beforehand with the
installed `qdispatch users create`, as an operator would. Tests talk to it with the official MCP
client over streamable HTTP (`http_session`), or with plain HTTP where the client would not
send what an attacker sends.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.adapters.mcp.servers import free_port, qdispatch_command, server_env

GIB = 1024**3
# The server's address space: Qiskit, Aer, NumPy and 40 thread stacks reserve well over a GiB
# of it without using it; a runaway allocation stops here. QDISPATCH_TEST_SERVER_AS overrides.
SERVER_ADDRESS_SPACE = int(os.environ.get("QDISPATCH_TEST_SERVER_AS", str(6 * GIB)))
REPO_ROOT = Path(__file__).resolve().parents[2]
# Test backends the server loads by name (tests/security/backends.py).
SLOW = "tests.security.backends:slow"
CRASHING = "tests.security.backends:crashing"
USERS = ("alice", "bob")


def address_space_limit(limit: int, umask: int | None = None):
    """A preexec_fn: the child's RLIMIT_AS (and umask, when given), set after fork and before
    exec."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if umask is not None:
            os.umask(umask)

    return apply


def home_env(home: Path, **extra: str) -> dict[str, str]:
    """The server's and the CLI's environment: this temporary home, test backends importable."""
    path = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)
    return server_env(home, PYTHONPATH=path, **extra)


def cli(
    home: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    umask: int | None = None,
) -> str:
    """The installed `qdispatch` command on this home; its stdout (fails on a non-zero exit)."""
    done = subprocess.run(
        [qdispatch_command(), *args],
        env=env or home_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=address_space_limit(SERVER_ADDRESS_SPACE, umask),
    )
    assert done.returncode == 0, f"qdispatch {' '.join(args)}: {done.stderr[-3000:]}"
    return done.stdout


def create_users(
    home: Path, names=USERS, credits: str = "10", umask: int | None = None
) -> dict[str, str]:
    """API keys of new users, created as an operator does: `qdispatch users create --json`."""
    keys = {}
    for name in names:
        args = ("users", "create", name, "--credits", credits, "--json")
        made = json.loads(cli(home, *args, umask=umask))
        keys[name] = made["api_key"]
    return keys


@dataclass
class Server:
    """A running `qdispatch mcp --transport http` and what a test needs to reach it."""

    url: str
    keys: dict[str, str]
    home: Path
    log: Path
    process: subprocess.Popen
    stopped_in: float | None = field(default=None)

    @property
    def data(self) -> Path:
        return self.home / "data"

    def said(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> float:
        """SIGTERM, as an operator or a supervisor stops it; seconds until it exited."""
        if self.stopped_in is not None:
            return self.stopped_in
        start = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
            raise AssertionError(f"SIGTERM did not stop the server in {timeout} s") from None
        self.stopped_in = time.monotonic() - start
        return self.stopped_in


def _wait_until_listening(server: Server, timeout: float = 90) -> None:
    import httpx2

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server exited: {server.said()[-3000:]}")
        try:
            if httpx2.post(server.url, json={}, timeout=2).status_code == 401:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not start: {server.said()[-3000:]}")


@contextlib.contextmanager
def running_server(
    home: Path,
    keys: dict[str, str],
    *,
    log_level: str = "INFO",
    extra_args: tuple[str, ...] = (),
    umask: int | None = None,
    **env: str,
) -> Iterator[Server]:
    """`qdispatch mcp --transport http` on a free loopback port, memory-limited, its stdout
    and stderr kept apart (stdout must stay empty: logs belong on stderr)."""
    port = free_port()
    log = home / f"server-{port}.log"
    out = home / f"server-{port}.stdout"
    args = [qdispatch_command(), "mcp", "--transport", "http", "--port", str(port)]
    args += ["--log-level", log_level, *extra_args]
    with log.open("wb") as err_file, out.open("wb") as out_file:
        process = subprocess.Popen(
            args,
            env=home_env(home, **env),
            stdout=out_file,
            stderr=err_file,
            preexec_fn=address_space_limit(SERVER_ADDRESS_SPACE, umask),
        )
    server = Server(f"http://127.0.0.1:{port}/mcp", keys, home, log, process)
    try:
        _wait_until_listening(server)
        yield server
    finally:
        if process.poll() is None:
            server.stop()
    assert out.read_bytes() == b"", f"the server wrote to stdout: {out.read_bytes()[:500]!r}"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def keys(home) -> dict[str, str]:
    return create_users(home)


@pytest.fixture(scope="module")
def server(home, keys) -> Iterator[Server]:
    """One server for a module's tests that need no special settings."""
    with running_server(home, keys) as running:
        yield running
