"""The job tools page results above `mcp_result_bytes`, through the SDK's client."""

from __future__ import annotations

import json

import pytest
from mcp import Client

from qdispatch_mcp import build_server
from qdispatch_mcp.calls import TEXT_COPY_BYTES
from qdispatch_mcp.pages import reassemble
from tests.adapters.mcp.conftest import call, refused

pytestmark = pytest.mark.anyio

BUDGET = 16 * 1024
SWEEP_QASM = "OPENQASM 3.0;\ninput float t;\nqubit[3] q;\nbit[3] c;\nrx(t) q[0];\nc = measure q;\n"


@pytest.fixture
async def small_pages(make_app):
    app = make_app(mcp_result_bytes=BUDGET)
    async with Client(build_server(lambda: app)) as client:
        yield client, app


async def sweep(client, sets: int) -> str:
    exp = (await call(client, "create_new_experiment", name="sweep"))["id"]
    run = await call(
        client,
        "run_circuits_on_qpu_or_simulator",
        experiment_id=exp,
        circuits_qasm=[SWEEP_QASM],
        device_id="dummy_simulator",
        shots=100,
        parameters=[[i / sets] for i in range(sets)],
    )
    return run["job_id"]


async def test_large_results_come_in_pages_that_reassemble_to_the_stored_ones(small_pages):
    client, app = small_pages
    job_id = await sweep(client, 1500)  # 1,500 counts dicts: well over 16 KiB
    first = await client.call_tool("wait_for_job", {"job_id": job_id, "timeout_s": 30})
    data = first.structured_content
    page = data["results_page"]
    assert data["status"] == "Done" and data["results"] is None
    assert page["page"] == 1 and page["pages"] > 3 and page["next_page"] == 2
    assert f"results_page={page['next_page']}" in data["context"]
    assert len(json.dumps(data)) < BUDGET * 1.25
    # A page this small is repeated as text (under TEXT_COPY_BYTES), as MCP advises.
    assert json.loads(first.content[0].text) == data
    pages = [page]
    while pages[-1]["next_page"]:
        nxt = await client.call_tool(
            "get_job_results_and_status", {"job_id": job_id, "results_page": pages[-1]["next_page"]}
        )
        assert not nxt.is_error, nxt.content[0].text
        pages.append(nxt.structured_content["results_page"])
    from qdispatch_core.usecases import get_job

    stored = get_job(app.services, app.default_user, job_id).job.results
    assert reassemble(pages)["results"] == stored
    assert [len(sets) for sets in stored] == [1500]


async def test_small_results_stay_whole_and_a_page_number_beyond_is_refused(small_pages):
    client, _ = small_pages
    job_id = await sweep(client, 3)
    whole = await call(client, "wait_for_job", job_id=job_id)  # text == structured: small
    assert whole["results_page"] is None and len(whole["results"][0]) == 3
    text = await refused(client, "get_job_results_and_status", job_id=job_id, results_page=2)
    assert text.startswith("400 results_page") and "omit results_page" in text
    text = await refused(client, "get_job_results_and_status", job_id=job_id, results_page=0)
    assert text.startswith("400 results_page")


async def test_a_page_out_of_range_names_the_range(small_pages):
    client, _ = small_pages
    job_id = await sweep(client, 1500)
    first = (await client.call_tool("wait_for_job", {"job_id": job_id})).structured_content
    pages = first["results_page"]["pages"]
    text = await refused(
        client, "get_job_results_and_status", job_id=job_id, results_page=pages + 1
    )
    assert text.startswith(f"400 results_page: expected 1..{pages}")


async def test_cancel_of_a_done_job_with_large_results_is_paged_too(small_pages):
    client, _ = small_pages
    job_id = await sweep(client, 1500)
    await client.call_tool("wait_for_job", {"job_id": job_id})
    cancelled = await client.call_tool("cancel_job", {"job_id": job_id})
    assert cancelled.structured_content["results_page"]["page"] == 1


def test_the_text_copy_limit_is_well_under_the_clients_event_limit():
    assert TEXT_COPY_BYTES * 2 < 1024 * 1024
