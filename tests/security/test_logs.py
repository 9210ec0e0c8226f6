"""M2, L4: logs. At --log-level DEBUG the server writes qdispatch's own records only (other
libraries from WARNING), never a credential, and the access log — on stderr — never records a
query string, where a careless client may put its API key."""

from __future__ import annotations

import re

import httpx2
import pytest

from tests.adapters.mcp.servers import free_port
from tests.security.conftest import running_server
from tests.security.test_results import session

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

AKID = "AKIAPLANTED7Q3XK2M9Z"
SECRET = "planted/Secret+Key/9f2c7a1e4b8d6f0a3c5e7b9d1f3a5c"
TOKEN = "FwoGZXIvYXdzEPLANTEDTOKENb2c9e4a7f1d3b5c8e0a2f4d6"
BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\nmeasure q -> c;\n'
RECORD = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+): ")
# Who may write below WARNING: qdispatch's packages, and uvicorn's start/stop lines.
QUIET_BELOW_WARNING = re.compile(r"^(qdispatch\w*(\..*)?|uvicorn\.error)$")


@pytest.fixture(scope="module")
def debug_server(home, keys):
    """At DEBUG, with AWS pointed at a closed local port: the worker's Braket submission goes
    through botocore (which logs signed headers at DEBUG) and fails at once."""
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
    }
    with running_server(home, keys, log_level="DEBUG", **env) as server:
        yield server


async def test_debug_logs_hold_no_planted_aws_credentials_and_no_library_chatter(debug_server):
    credentials = {
        "aws_access_key_id": AKID,
        "aws_secret_access_key": SECRET,
        "aws_session_token": TOKEN,
        "aws_default_region": "us-east-1",
    }
    async with session(debug_server.url, debug_server.keys["alice"], "legacy") as alice:
        exp = await alice.call_tool("create_new_experiment", {"name": "aws"})
        run = await alice.call_tool(
            "run_circuits_on_qpu_or_simulator",
            {
                "experiment_id": exp.structured_content["id"],
                "circuits_qasm": [BELL],
                "device_id": "aws_sv1",
                "shots": 100,
                "options": credentials,
            },
        )
        assert not run.is_error, run.content[0].text
        waited = await alice.call_tool(
            "wait_for_job", {"job_id": run.structured_content["job_id"], "timeout_s": 60}
        )
    job = waited.structured_content
    assert job["status"] == "Error" and "cannot reach AWS" in job["error"]  # botocore was used
    said = debug_server.said()
    for planted in (AKID, SECRET, TOKEN):
        assert planted not in said
    records = [RECORD.match(line) for line in said.splitlines()]
    chatty = {
        m.group(2)
        for m in records
        if m and m.group(1) in ("DEBUG", "INFO") and not QUIET_BELOW_WARNING.match(m.group(2))
    }
    assert chatty == set(), chatty  # botocore, sse_starlette, httpx, mcp … stay quiet
    assert any(m and m.group(2).startswith("qdispatch_mcp.access") for m in records)


async def test_an_api_key_in_a_query_string_never_reaches_a_log(debug_server):
    key = debug_server.keys["bob"]
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    accept = {"Accept": "application/json, text/event-stream"}
    async with httpx2.AsyncClient(timeout=30) as http:
        for url in (f"{debug_server.url}?api_key={key}", f"{debug_server.url}?token={key}&x=1"):
            refused = await http.post(url, json=request, headers=accept)
            assert refused.status_code == 401  # a key is read from the header only
        # With a good header too: served, and the query still not logged.
        served = await http.post(
            f"{debug_server.url}?key={key}",
            json={**request, "method": "initialize", "params": INIT},
            headers={"Authorization": f"Bearer {key}", **accept},
        )
        assert served.status_code == 200
    said = debug_server.said()
    assert key not in said and "?" not in "".join(
        line for line in said.splitlines() if "qdispatch_mcp.access" in line
    )
    assert '"POST /mcp" 401' in said  # the refusals were logged, without their query


INIT = {
    "protocolVersion": "2025-06-18",
    "capabilities": {},
    "clientInfo": {"name": "raw", "version": "1"},
}
