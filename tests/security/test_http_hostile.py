"""The review's request-path findings over the door that matters most: the INSTALLED
`qdispatch mcp --transport http`, two users (alice, bob) with the official client, the server
under an address-space limit (tests/security/conftest.py).

C1 (includes read nothing, every path the same answer), H1 (bob's CR look-alike cannot change
alice's counts), H3 (each kind of bomb refused within a bound, the other user answered right
after), H4 (registers beyond 64 bits: a 400, and every session, old and new, keeps serving),
and what the review found sound and must stay so: foreign Host/Origin refused, malformed or
huge bodies clean 4xx, NaN and NUL in arguments 400s, SQL-looking text harmless, and another
user's ids read exactly like unknown ids.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx2
import pytest
from mcp import Client

from tests.adapters.mcp.servers import http_session
from tests.security.hostile_corpus import LOOK_ALIKE, X_MEASURED, nested

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SECRET = "PLANTED9b1e4d2c"
# Far more than a refusal takes on a loaded machine; far less than any bomb runs.
REFUSED_WITHIN_S = 60
ANSWERED_WITHIN_S = 30
LOOP = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[1] q;\nfor int i in [0:1000000000] { x q[0]; }\n'
)
OVERFLOWING = [
    "OPENQASM 2.0;\nqreg q[18446744073709551617];\n",
    'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\ncreg c[99999999999999999999999];\n',
    "OPENQASM 3.0;\nqubit[18446744073709551617] q;\n",
]


async def call(client: Client, tool_name: str, /, **arguments: Any) -> tuple[bool, str, float]:
    """(is_error, text, seconds) of one tool call."""
    started = time.monotonic()
    result = await client.call_tool(tool_name, arguments)
    return bool(result.is_error), result.content[0].text, time.monotonic() - started


async def experiment(client: Client) -> str:
    failed, text, _ = await call(client, "create_new_experiment", name="hostile")
    assert not failed, text
    return json.loads(text)["id"]


async def answers(client: Client) -> None:
    """The user is answered, and soon."""
    failed, text, seconds = await call(client, "list_experiments")
    assert not failed, text
    assert seconds < ANSWERED_WITHIN_S, seconds


async def run_and_wait(client: Client, exp: str, source: str) -> dict:
    failed, text, _ = await call(
        client,
        "run_circuits_on_qpu_or_simulator",
        experiment_id=exp,
        circuits_qasm=[source],
        device_id="aer_simulator",
        shots=64,
    )
    assert not failed, text
    job_id = json.loads(text)["job_id"]
    for _ in range(10):
        failed, text, _ = await call(client, "wait_for_job", job_id=job_id, timeout_s=30)
        assert not failed, text
        job = json.loads(text)
        if job["status"] in ("Done", "Error", "Cancelled"):
            return job
    raise AssertionError(f"job {job_id} did not end")


# -- C1: includes ----------------------------------------------------------------------------


def include_paths(server) -> dict[str, str]:
    planted = server.home / "planted" / "secret.key"
    planted.parent.mkdir(exist_ok=True)
    planted.write_text(f"{SECRET};\ngate planted a {{ x a; }}\n")
    return {
        "existing file": str(planted),
        "missing file": str(planted.parent / "missing.key"),
        "up the tree": "../" * 16 + str(planted).lstrip("/"),
        "system file": "/etc/passwd",
        "the server's key file": str(server.home / "config" / "secret.key"),
    }


async def test_an_include_reads_no_file_and_every_path_gets_one_answer(server):
    paths = include_paths(server)
    async with http_session(server.url, server.keys["alice"]) as alice:
        exp = await experiment(alice)
        said = set()
        for path in paths.values():
            for source in (
                f'OPENQASM 2.0;\ninclude "{path}";\nqreg q[1];\nplanted q[0];\n',
                f'OPENQASM 3.0;\ninclude "{path}";\nqubit[1] q;\nplanted q[0];\n',
            ):
                stored = await call(
                    alice, "submit_circuit_for_analytics", experiment_id=exp, circuit_qasm=source
                )
                run = await call(
                    alice,
                    "run_circuits_on_qpu_or_simulator",
                    experiment_id=exp,
                    circuits_qasm=[source],
                    device_id="aer_simulator",
                    dry_run=True,
                )
                for failed, text, _ in (stored, run):
                    assert failed and text.startswith("400 "), text
                    assert SECRET not in text and path not in text and "root" not in text
                said.add(stored[1])
                said.add(run[1].replace("circuits_qasm[0]", "circuit_qasm"))
        assert len(said) == 1, said  # existing, missing, anywhere, either version: one answer
        failed, text, _ = await call(alice, "list_circuits_in_experiment", experiment_id=exp)
        assert not failed and json.loads(text)["circuits"] == [], text  # nothing stored
    async with http_session(server.url, server.keys["bob"]) as bob:
        await answers(bob)
    assert SECRET not in server.said()


# -- H1: the look-alike across users ----------------------------------------------------------


async def test_bobs_look_alike_cannot_change_alices_counts(server):
    async with http_session(server.url, server.keys["bob"]) as bob:
        bobs = await run_and_wait(bob, await experiment(bob), LOOK_ALIKE)  # read (cached) first
    async with http_session(server.url, server.keys["alice"]) as alice:
        alices = await run_and_wait(alice, await experiment(alice), X_MEASURED)
    assert alices["status"] == "Done" and alices["results"] == [{"1": 64}], alices
    # \r ends the comment (OpenQASM 3's grammar), so Bob's text measures 1 as well.
    assert bobs["status"] == "Done" and bobs["results"] == [{"1": 64}], bobs


# -- H3 and H4: bombs and overflowing registers, the other user answered right after ----------

BOMBS = [
    ({"circuits_qasm": [nested(41, 2)]}, "QDISPATCH_LIMIT_OPERATIONS"),
    ({"circuits_qasm": [nested(41, 3)]}, "QDISPATCH_LIMIT_OPERATIONS"),
    ({"circuits_qasm": ["OPENQASM 3.0;\nqubit[100000000] q;\n"]}, "QDISPATCH_LIMIT_QUBITS"),
    ({"circuits_qasm": [LOOP]}, "QDISPATCH_LIMIT_OPERATIONS"),
    ({"circuits_qasm": ["OPENQASM 2.0;\nqreg q[1];\n"] * 10_000}, "QDISPATCH_LIMIT_CIRCUITS"),
    (
        {"circuits_qasm": ["OPENQASM 2.0;\nqreg q[24];\n"], "run_type": "StatevectorRun"},
        "QDISPATCH_LIMIT_RESULT_BYTES",
    ),
]


async def test_each_bomb_is_refused_and_the_other_user_is_answered_right_after(server):
    async with (
        http_session(server.url, server.keys["alice"]) as alice,
        http_session(server.url, server.keys["bob"]) as bob,
    ):
        exp = await experiment(alice)
        for overrides, words in BOMBS:
            arguments = {
                "experiment_id": exp,
                "device_id": "aer_simulator",
                "dry_run": True,
                **overrides,
            }
            failed, text, seconds = await call(
                alice, "run_circuits_on_qpu_or_simulator", **arguments
            )
            assert failed and text.startswith("400 ") and words in text, text[:300]
            assert seconds < REFUSED_WITHIN_S, (words, seconds)
            await answers(bob)


async def test_an_overflowing_register_is_a_400_and_every_session_keeps_serving(server):
    async with http_session(server.url, server.keys["alice"]) as alice:
        exp = await experiment(alice)
        async with http_session(server.url, server.keys["bob"]) as bob:
            for source in OVERFLOWING:
                failed, text, _ = await call(
                    alice, "submit_circuit_for_analytics", experiment_id=exp, circuit_qasm=source
                )
                assert failed and text.startswith("400 circuit_qasm"), text
                assert "internal error" not in text
                await answers(alice)  # the session that sent it
                await answers(bob)  # a session opened before
        async with http_session(server.url, server.keys["bob"]) as later:
            await answers(later)  # and one opened after
    assert server.process.poll() is None


# -- what was sound and must stay so ----------------------------------------------------------

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "1"},
    },
}


def headers(key: str, **extra: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {key}",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        **extra,
    }


def rpc_reply(response) -> dict:
    """The JSON-RPC message of a reply sent as JSON or as one server-sent event."""
    text = response.text
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        text = next(line[5:] for line in text.splitlines() if line.startswith("data:"))
    return json.loads(text)


def raw_session(server, key: str) -> dict[str, str]:
    """Headers of an initialised session, opened with plain HTTP (as an attacker sends)."""
    opened = httpx2.post(server.url, json=INITIALIZE, headers=headers(key), timeout=60)
    assert opened.status_code == 200, opened.text
    session = {"mcp-session-id": opened.headers["mcp-session-id"]}
    done = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    sent = httpx2.post(server.url, json=done, headers=headers(key, **session), timeout=60)
    assert sent.status_code == 202, sent.text
    return headers(key, **session)


def test_foreign_hosts_origins_and_malformed_bodies_get_clean_4xx(server):
    key = server.keys["alice"]
    post = lambda body, **extra: httpx2.post(  # noqa: E731
        server.url, content=body, headers=headers(key, **extra), timeout=60
    )
    plain = json.dumps(INITIALIZE)
    assert post(plain, Host="evil.example").status_code == 421  # DNS rebinding
    assert post(plain, Origin="http://evil.example").status_code == 403
    deep = plain.replace('"capabilities": {}', '"capabilities": ' + "[" * 100_000 + "]" * 100_000)
    for body, status in (("{not json", 400), (deep, 400), ("x" * (20 * 1024 * 1024), 413)):
        answer = post(body)
        assert answer.status_code == status, (answer.status_code, answer.text[:200])
    assert post(plain).status_code == 200  # and the server still serves


def tool_call(session: dict[str, str], server, name: str, raw_arguments: str) -> tuple[bool, str]:
    """(is_error, text) of one tools/call whose arguments are raw JSON text (NaN is not JSON,
    but an attacker sends it)."""
    body = (
        '{"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "'
        + name
        + '", "arguments": '
        + raw_arguments
        + "}}"
    )
    answer = httpx2.post(server.url, content=body, headers=session, timeout=60)
    assert answer.status_code in (200, 400), answer.text[:300]
    reply = rpc_reply(answer)
    if "error" in reply:
        return True, f"rpc error {reply['error']['code']}"
    result = reply["result"]
    return bool(result["isError"]), result["content"][0]["text"]


def test_nan_nul_and_sql_looking_arguments_are_refused_or_harmless(server):
    session = raw_session(server, server.keys["alice"])
    injected = "x'); DROP TABLE jobs; --"
    made, text = tool_call(session, server, "create_new_experiment", json.dumps({"name": injected}))
    assert not made, text
    exp = json.loads(text)["id"]
    listed = tool_call(session, server, "list_experiments", "{}")[1]
    assert injected in [e["name"] for e in json.loads(listed)["experiments"]]  # stored as text
    source = json.dumps(
        "OPENQASM 3.0;\ninput float theta;\nqubit q;\nbit c;\nrx(theta) q;\nc = measure q;\n"
    )
    for value in ("NaN", "Infinity", "-Infinity"):
        arguments = (
            f'{{"experiment_id": "{exp}", "device_id": "aer_simulator", '
            f'"circuits_qasm": [{source}], "parameters": [[{value}]], "dry_run": true}}'
        )
        failed, text = tool_call(session, server, "run_circuits_on_qpu_or_simulator", arguments)
        assert failed and (text.startswith("400 parameters") or text.startswith("rpc error -32"))
    failed, text = tool_call(session, server, "create_new_experiment", '{"name": "a\\u0000b"}')
    assert failed and text.startswith("400 name"), text
    for tool in ("get_job_results_and_status", "cancel_job"):
        failed, text = tool_call(session, server, tool, json.dumps({"job_id": "x' OR '1'='1"}))
        assert failed and text.startswith("404 job_id"), text
    failed, text = tool_call(session, server, "list_jobs", "{}")
    assert not failed, text  # the tables are all there


async def test_another_users_ids_read_exactly_like_unknown_ids(server):
    async with http_session(server.url, server.keys["alice"]) as alice:
        exp = await experiment(alice)
        failed, text, _ = await call(
            alice,
            "run_circuits_on_qpu_or_simulator",
            experiment_id=exp,
            circuits_qasm=[X_MEASURED],
            device_id="aer_simulator",
            dry_run=True,
        )
        assert not failed, text
        job_id = json.loads(text)["job_id"]
    unknown_job = job_id[:-4] + ("0000" if not job_id.endswith("0000") else "1111")
    unknown_exp = exp[:-4] + ("0000" if not exp.endswith("0000") else "1111")
    async with http_session(server.url, server.keys["bob"]) as bob:
        for tool, field, theirs, unknown in (
            ("get_job_results_and_status", "job_id", job_id, unknown_job),
            ("cancel_job", "job_id", job_id, unknown_job),
            ("get_experiment", "experiment_id", exp, unknown_exp),
        ):
            _, said_theirs, _ = await call(bob, tool, **{field: theirs})
            _, said_unknown, _ = await call(bob, tool, **{field: unknown})
            assert said_theirs.startswith("404 "), said_theirs
            assert said_theirs.replace(theirs, "<id>") == said_unknown.replace(unknown, "<id>")
