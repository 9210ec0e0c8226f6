"""H6: results that fit. A 20-qubit, 100,000-shot histogram (~3 MB as JSON) and a 22-qubit state
vector (~200 MB as JSON) must be readable through the official client over HTTP — which refuses
any server-sent event over 1 MiB — without the server holding them whole in JSON."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import AsyncIterator

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from qdispatch import App, Settings
from qdispatch_core.usecases import get_job
from qdispatch_mcp.pages import reassemble

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

# The official client's limit on one server-sent event, and a margin for the JSON-RPC envelope.
SSE_EVENT_LIMIT = 1024 * 1024
REPLY_LIMIT = 900 * 1024


@contextlib.asynccontextmanager
async def session(url: str, key: str, mode: str) -> AsyncIterator[Client]:
    """The official client; mode "legacy" is the handshake era (sessions, answers as SSE),
    "auto" the 2026 protocol (answers as JSON unless a call runs long)."""
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(60, read=180)) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        yield client


def hadamards(n: int) -> str:
    return (
        f'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[{n}];\ncreg c[{n}];\nh q;\nmeasure q -> c;\n'
    )


def angles(n: int) -> list[float]:
    return [0.3 + 0.11 * i for i in range(n)]


def product_state(n: int) -> str:
    """ry(θ_i) on each qubit: every amplitude differs, so a misplaced slice shows."""
    lines = [f'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[{n}];']
    lines += [f"ry({theta!r}) q[{i}];" for i, theta in enumerate(angles(n))]
    return "\n".join(lines) + "\n"


async def run_and_wait(client: Client, **request) -> dict:
    exp = (await client.call_tool("create_new_experiment", {"name": "big"})).structured_content
    run = await client.call_tool(
        "run_circuits_on_qpu_or_simulator",
        {"experiment_id": exp["id"], "device_id": "aer_simulator", **request},
    )
    assert not run.is_error, run.content[0].text
    job_id = run.structured_content["job_id"]
    for _ in range(6):
        waited = await client.call_tool("wait_for_job", {"job_id": job_id, "timeout_s": 60})
        assert not waited.is_error, waited.content[0].text
        if waited.structured_content["status"] in ("Done", "Error", "Cancelled"):
            return reply(waited)
    raise AssertionError(f"job {job_id} did not end")


def reply(result) -> dict:
    """A successful reply's structured content, checked to fit one event, and its text never a
    second copy of a large payload."""
    assert not result.is_error, result.content[0].text
    data = result.structured_content
    size = len(json.dumps(data, separators=(",", ":")))
    assert size < REPLY_LIMIT, size
    text = result.content[0].text
    assert len(text) <= 64 * 1024 + 1024 or len(text) < size // 4, (len(text), size)
    return data


async def every_page(client: Client, first: dict) -> list[dict]:
    job_id = first["id"]
    page = first["results_page"]
    assert page is not None and page["page"] == 1 and page["pages"] > 1
    assert first["results"] is None  # only in the pages
    pages = [page]
    while page["next_page"] is not None:
        result = await client.call_tool(
            "get_job_results_and_status", {"job_id": job_id, "results_page": page["next_page"]}
        )
        page = reply(result)["results_page"]
        pages.append(page)
    assert [p["page"] for p in pages] == list(range(1, len(pages) + 1))
    return pages


def stored_results(server, user: str, job_id: str):
    """The job's results as the library reads them from the server's database."""
    with App(Settings.from_env({"QDISPATCH_HOME": str(server.home)})) as app:
        owner = app.user_for_key(server.keys[user])
        return get_job(app.services, owner, job_id).job.results


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_a_20_qubit_100k_shot_histogram_reads_in_pages(server, mode):
    async with session(server.url, server.keys["alice"], mode) as alice:
        first = await run_and_wait(
            alice,
            circuits_qasm=[hadamards(20)],
            shots=100_000,
            options={"seed_simulator": 7},
        )
        assert first["status"] == "Done", first["error"]
        assert "results_page=2" in first["context"]
        pages = await every_page(alice, first)
    (counts,) = reassemble(pages)["results"]
    assert sum(counts.values()) == 100_000
    assert len(counts) > 90_000  # ~95,000 distinct outcomes of 2**20
    assert counts == stored_results(server, "alice", first["id"])[0]
    top = [n for part in pages[0]["parts"] for n in part["counts"].values()]
    assert top == sorted(top, reverse=True) and top[0] == max(counts.values())


async def test_a_22_qubit_state_vector_comes_back_exact_through_pages(server):
    n = 22
    async with session(server.url, server.keys["bob"], "legacy") as bob:
        first = await run_and_wait(bob, circuits_qasm=[product_state(n)], run_type="StatevectorRun")
        assert first["status"] == "Done", first["error"]
        pages = await every_page(bob, first)
    assert all(p["encoding"] == "base64-float64-le" for pg in pages for p in pg["parts"])
    ((real, imag),) = reassemble(pages)["results"]
    assert len(real) == len(imag) == 2**n
    assert [real, imag] == stored_results(server, "bob", first["id"])[0]  # bit for bit
    # The state itself: ⊗ (cos θ/2 |0⟩ + sin θ/2 |1⟩), qubit 0 the lowest bit of the index.
    half = [(math.cos(t / 2), math.sin(t / 2)) for t in angles(n)]
    for index in (0, 1, 2**n - 1, 12345, 2**21 + 777):
        expected = math.prod(half[q][(index >> q) & 1] for q in range(n))
        assert real[index] == pytest.approx(expected, abs=1e-12)
        assert imag[index] == pytest.approx(0.0, abs=1e-12)


async def test_a_page_out_of_range_is_a_400_naming_the_field(server):
    async with session(server.url, server.keys["alice"], "legacy") as alice:
        small = await run_and_wait(alice, circuits_qasm=[hadamards(2)], shots=100)
        result = await alice.call_tool(
            "get_job_results_and_status", {"job_id": small["id"], "results_page": 2}
        )
    assert result.is_error and result.content[0].text.startswith("400 results_page")
    assert small["results_page"] is None and sum(small["results"][0].values()) == 100
