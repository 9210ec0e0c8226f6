"""Streamable HTTP with API keys, on the fakes: who may call, and who sees what."""

import httpx2
import pytest
from mcp import Client

from qdispatch_core.usecases import create_user
from qdispatch_mcp import build_server
from qdispatch_mcp.auth import bearer_key
from tests.adapters.mcp.conftest import call, refused
from tests.adapters.mcp.servers import free_port, http_session, serve_in_thread
from tests.samples import BELL_QASM2

pytestmark = pytest.mark.anyio


@pytest.fixture
def served(app):
    _, alice = create_user(app.services, "alice")
    _, bob = create_user(app.services, "bob")
    with serve_in_thread(app, free_port()) as url:
        yield url, alice, bob


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "401 missing API key"),
        ("Bearer qdk_wrong", "401 invalid API key"),
        ("Basic dXNlcjpwYXNz", "401 missing API key"),
        ("Bearer", "401 missing API key"),
    ],
)
async def test_a_request_without_a_valid_key_is_refused_with_401(served, header, expected):
    url, _, _ = served
    headers = {"Authorization": header} if header else {}
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    async with httpx2.AsyncClient() as http:
        response = await http.post(url, json=request, headers=headers)
    assert response.status_code == 401
    assert response.json()["message"].startswith(expected)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_401_says_a_key_is_needed_and_how_to_make_one(served):
    url, _, _ = served
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    async with httpx2.AsyncClient() as http:
        missing = await http.post(url, json=request)
        wrong = await http.post(url, json=request, headers={"Authorization": "Bearer qdk_x"})
    for response in (missing, wrong):
        body = response.json()
        assert body["error"] == "unauthorized"
        assert "Authorization: Bearer <API key>" in body["help"]
        assert "qdispatch users create" in body["help"]
        challenge = response.headers["www-authenticate"]
        # Bearer, and no pointer to OAuth metadata (RFC 9728): no sign-in flow to start.
        assert challenge.startswith("Bearer ") and "resource_metadata" not in challenge
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert "error=" not in missing.headers["www-authenticate"]  # RFC 6750 §3.1: no key sent


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/.well-known/oauth-protected-resource"),
        ("GET", "/.well-known/oauth-protected-resource/mcp"),
        ("GET", "/.well-known/oauth-authorization-server"),
        ("GET", "/.well-known/oauth-authorization-server/mcp"),
        ("GET", "/.well-known/openid-configuration"),
        ("POST", "/register"),
        ("GET", "/authorize"),
        ("POST", "/token"),
    ],
)
async def test_what_oauth_clients_probe_is_a_clear_404(served, method, path):
    url, _, _ = served
    root = url.removesuffix("/mcp")
    async with httpx2.AsyncClient() as http:
        response = await http.request(method, root + path)
    assert response.status_code == 404
    assert response.json()["message"].startswith("404 this server does not offer OAuth")
    assert "qdispatch users create" in response.json()["message"]


async def test_a_client_without_a_key_cannot_connect(served):
    url, _, _ = served
    with pytest.raises(Exception):  # noqa: B017 - the SDK wraps the 401 in an ExceptionGroup
        async with http_session(url, None) as client:
            await client.list_tools()


async def test_each_user_sees_only_their_own_things(served):
    url, alice, bob = served
    async with http_session(url, alice) as client:
        exp = (await call(client, "create_new_experiment", name="shared-name"))["id"]
        run = await call(
            client,
            "run_circuits_on_qpu_or_simulator",
            experiment_id=exp,
            circuits_qasm=[BELL_QASM2],
            device_id="dummy_simulator",
            shots=10,
        )
        job_id = run["job_id"]
        assert (await call(client, "wait_for_job", job_id=job_id))["status"] == "Done"
        circuit_id = (await call(client, "get_job_results_and_status", job_id=job_id))[
            "circuit_ids"
        ][0]
    async with http_session(url, bob) as client:
        for tool, arguments in [
            ("get_job_results_and_status", {"job_id": job_id}),
            ("wait_for_job", {"job_id": job_id}),
            ("cancel_job", {"job_id": job_id}),
            ("get_experiment", {"experiment_id": exp}),
            ("list_circuits_in_experiment", {"experiment_id": exp}),
            ("list_jobs", {"experiment_id": exp}),
        ]:
            assert (await refused(client, tool, **arguments)).startswith("404 "), tool
        text = await refused(
            client,
            "run_circuits_on_qpu_or_simulator",
            experiment_id=exp,
            circuit_ids=[circuit_id],
            device_id="dummy_simulator",
        )
        assert text.startswith("404 experiment_id")
        assert (await call(client, "list_jobs"))["jobs"] == []
        assert (await call(client, "list_experiments"))["experiments"] == []
        mine = await call(client, "create_new_experiment", name="shared-name")
        assert mine["id"] != exp


async def test_http_without_the_auth_middleware_serves_nobody(app):
    """Defence in depth: a tool called over HTTP with no authenticated user never falls back
    to the default local user."""
    import threading
    import time

    import uvicorn

    mcp_app = build_server(lambda: app).streamable_http_app()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(mcp_app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            text = await refused(client, "list_experiments")
    finally:
        server.should_exit = True
        thread.join(10)
    assert text.startswith("401 missing API key")


def test_the_bearer_key_is_read_from_the_authorization_header():
    def scope(*headers):
        return {"headers": [(k.encode(), v.encode()) for k, v in headers]}

    assert bearer_key(scope(("authorization", "Bearer qdk_1"))) == "qdk_1"
    assert bearer_key(scope(("authorization", "bearer  qdk_2 "))) == "qdk_2"
    assert bearer_key(scope(("authorization", "Token qdk_3"))) is None
    assert bearer_key(scope(("x-api-key", "qdk_4"))) is None
