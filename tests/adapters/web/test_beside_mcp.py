"""`qdispatch mcp --transport http --dashboard`: the dashboard served beside /mcp by one server,
in team mode, on the same App."""

from __future__ import annotations

from starlette.testclient import TestClient

from qdispatch_mcp.__main__ import parse_args
from qdispatch_mcp.http import http_app
from tests.adapters.web.conftest import LOCAL


def test_the_dashboard_answers_beside_mcp_and_asks_for_keys(world):
    served = http_app(lambda: world.app, dashboard=True)
    with TestClient(served, base_url=LOCAL) as client:
        page = client.get("/experiments")
        assert page.status_code == 401 and 'name="api_key"' in page.text
        mine = client.get("/jobs", headers={"Authorization": f"Bearer {world.key}"})
        assert mine.status_code == 200 and world.done in mine.text
        mcp = client.post("/mcp", json={})
        assert mcp.status_code == 401 and mcp.json()["error"] == "unauthorized"
        assert client.get("/static/dashboard.css").status_code == 200


def test_without_the_flag_there_is_no_dashboard(world):
    with TestClient(http_app(lambda: world.app), base_url=LOCAL) as client:
        assert client.get("/experiments").status_code == 401
        assert "api_key" not in client.get("/experiments").text


def test_the_flag_is_parsed():
    assert parse_args(["--transport", "http", "--dashboard"]).dashboard is True
    assert parse_args([]).dashboard is False


def test_the_installed_command_serves_both(tmp_path):
    """`qdispatch mcp --transport http --dashboard`, as an operator starts it."""
    import subprocess
    import time

    import httpx2

    from tests.adapters.mcp.servers import free_port, qdispatch_command, server_env

    port = free_port()
    args = [qdispatch_command(), "mcp", "--transport", "http", "--port", str(port), "--dashboard"]
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=server_env(tmp_path), stdout=out,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = httpx2.get(base + "/experiments", timeout=2)
                break
            except httpx2.HTTPError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert page.status_code == 401 and 'name="api_key"' in page.text
        assert httpx2.post(base + "/mcp", json={}, timeout=5).status_code == 401
    finally:
        process.terminate()
        process.wait(30)
