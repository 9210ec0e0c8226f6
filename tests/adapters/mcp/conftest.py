"""The MCP server on the core's fakes, driven through the SDK's in-memory client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult

from qdispatch import App
from qdispatch_core.testing import FakeBackend
from qdispatch_mcp import build_server
from tests.app.conftest import fake_app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def make_app(tmp_path):
    def make(backend: FakeBackend | None = None, **settings: Any) -> App:
        return fake_app(tmp_path, backend, **settings)

    return make


@pytest.fixture
def app(make_app) -> App:
    return make_app()


@pytest.fixture
async def client(app):
    async with Client(build_server(lambda: app)) as client:
        yield client


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    """A successful call's structured content (the test fails on a tool error)."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content[0].text
    assert result.structured_content is not None
    # The text content carries the same data, for clients that read only text.
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content


async def refused(client: Client, tool: str, **arguments: Any) -> str:
    """A refused call's error text."""
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result.structured_content
    assert result.structured_content is None
    return result.content[0].text


def everything_said(result: CallToolResult) -> str:
    return json.dumps(result.model_dump(mode="json"))
