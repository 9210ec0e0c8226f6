"""11. MCP listing size (issue 18): bytes of `list_qpus_and_simulators` with no filter, every
installed provider's devices (92 here), as the structured content's JSON and as the text
content (the same JSON), against the reference of every device's details (what a listing of
full entries would carry). Target: ≤ 10 KB (10,240 bytes)."""

from __future__ import annotations

import json

import anyio
from common import Row

LIMIT = 10 * 1024


async def _sizes(app) -> tuple[int, int, int, int]:
    from mcp import Client

    from qdispatch_mcp import build_server

    async with Client(build_server(lambda: app)) as client:
        listed = await client.call_tool("list_qpus_and_simulators", {})
        devices = listed.structured_content["devices"]
        full = 0
        for device in devices:
            details = await client.call_tool("get_device_details", {"device_id": device["id"]})
            full += len(json.dumps(details.structured_content, separators=(",", ":")).encode())
    structured = len(json.dumps(listed.structured_content, separators=(",", ":")).encode())
    text = len(listed.content[0].text.encode())
    return structured, text, len(devices), full


def run(client, quick: bool) -> list[Row]:
    structured, text, count, full = anyio.run(_sizes, client.app)

    def fits(row: Row) -> bool:
        return row.q <= LIMIT

    note = f"{count} devices; text content {text:,} bytes"
    return [
        Row(
            f"MCP default device listing ({count} devices)",
            "bytes",
            [float(structured)],
            [float(full)],
            "every device's details",
            "≤ 10 KB",
            fits,
            note,
        )
    ]
