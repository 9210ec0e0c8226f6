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
