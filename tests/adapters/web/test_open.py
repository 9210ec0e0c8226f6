"""`qdispatch dashboard --open` opens the dashboard's address in the user's browser once the
server accepts connections (not before, which would show an error page). The browser is
Python's `webbrowser` choice, which honours $BROWSER: here a script that writes down the
address it was given and whether the dashboard answered at that moment."""

from __future__ import annotations

import subprocess
import sys
import time

from tests.adapters.mcp.servers import free_port, qdispatch_command, server_env

# The "browser": records its argument and the status the dashboard gave when it was opened.
BROWSER = """import os, sys, urllib.request
url, seen = sys.argv[1], sys.argv[2]
with urllib.request.urlopen(url + "static/favicon.svg", timeout=30) as response:
    status = response.status
with open(seen + ".part", "w") as out:
    out.write(f"{url} {status}")
os.replace(seen + ".part", seen)
"""


def test_open_sends_the_browser_to_the_dashboard_once_it_listens(tmp_path):
    script = tmp_path / "browser.py"
    script.write_text(BROWSER)
    seen = tmp_path / "opened.txt"
    port = free_port()
    env = server_env(tmp_path, BROWSER=f"{sys.executable} {script} %s {seen}")
    args = [qdispatch_command(), "dashboard", "--host", "127.0.0.1", "--port", str(port), "--open"]
    process = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not (seen.exists() and seen.read_text()):
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "no browser was opened"
            time.sleep(0.1)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert seen.read_text() == f"http://127.0.0.1:{port}/ 200", err[-2000:]
