"""The installed `qdispatch dashboard` logs like the MCP server: one access line per request on
stderr through `qdispatch.logs`, with the user id and without the query string; nothing on
stdout."""

from __future__ import annotations

import subprocess
import time
import urllib.request

from tests.adapters.mcp.servers import free_port, qdispatch_command, server_env
from tests.adapters.web.browser import _status

SECRET = "qd_live_not_a_real_key_0123456789"


def test_access_lines_on_stderr_with_user_and_no_query(tmp_path):
    port = free_port()
    args = [qdispatch_command(), "dashboard", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        args,
        env=server_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while _status(base + "/static/favicon.svg") != 200:
            assert process.poll() is None and time.monotonic() < deadline, "no dashboard"
            time.sleep(0.1)
        with urllib.request.urlopen(f"{base}/jobs?api_key={SECRET}", timeout=30) as response:
            assert response.status == 200
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert out == ""
    lines = [line for line in err.splitlines() if "qdispatch_web.access" in line]
    jobs = [line for line in lines if '"GET /jobs"' in line]
    assert jobs, err[-2000:]
    assert " 200 " in jobs[0] and "user=-" not in jobs[0]  # the local user is named
    assert SECRET not in err and "api_key" not in err
