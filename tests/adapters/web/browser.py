"""Helpers for the real-browser tests: Debian's Chromium driven by Playwright, and the dashboard
served by the installed `qdispatch dashboard` command in a subprocess."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.adapters.mcp.servers import free_port, qdispatch_command

CHROMIUM = "/usr/bin/chromium"
# No first-run work, no background traffic of Chromium's own: every request a page makes is
# one the test sees.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_or_skip() -> str:
    """The system Chromium; a missing one skips, unless QDISPATCH_REQUIRE_BROWSER=1 (CI)."""
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if path:
        return path
    message = "Debian's chromium is not installed (apt-get install -y chromium)"
    if os.environ.get("QDISPATCH_REQUIRE_BROWSER") == "1":
        pytest.fail(message + "; QDISPATCH_REQUIRE_BROWSER=1 demands the browser tests")
    pytest.skip(message)


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return None


@contextlib.contextmanager
def dashboard_server(env: dict[str, str], log: Path, *extra: str) -> Iterator[str]:
    """`qdispatch dashboard` on a free loopback port; stopped with SIGTERM at the end."""
    port = free_port()
    args = [qdispatch_command(), "dashboard", "--host", "127.0.0.1", "--port", str(port), *extra]
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while _status(base + "/static/favicon.svg") != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the dashboard did not start: {log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class OutsideRequests:
    """Routes every request of a browser context: the dashboard's own go through, any other
    is aborted and remembered (the dashboard must work offline, with nothing from a CDN)."""

    def __init__(self, base: str) -> None:
        self.origin = urlsplit(base).netloc
        self.seen: list[str] = []

    def __call__(self, route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == self.origin or url.startswith(("data:", "about:")):
            route.continue_()
        else:
            self.seen.append(url)
            route.abort()
