"""H1: a circuit's identity is the text that is parsed. The CR look-alike shares its identity
with the circuit it imitates only because it is read the same way; one user's look-alike never
changes another user's results."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdispatch import App, Settings
from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.circuits import canonical_source, content_hash
from qdispatch_core.usecases import (
    create_experiment,
    ensure_user,
    get_circuit,
    get_job,
    submit_circuit,
    submit_run,
)
from qdispatch_qiskit import QiskitToolkit, parse_qasm
from tests.security.hostile_corpus import LOOK_ALIKE, X_MEASURED
from tests.security.stdio import experiment, stdio_server, tool

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_the_look_alike_is_read_as_the_text_its_identity_names():
    assert content_hash(LOOK_ALIKE) == content_hash(X_MEASURED)
    assert parse_qasm(LOOK_ALIKE) == parse_qasm(X_MEASURED)
    assert parse_qasm(LOOK_ALIKE).count_ops() == {"x": 1, "measure": 1}
    toolkit = QiskitToolkit()
    assert toolkit.inspect(LOOK_ALIKE) == toolkit.inspect(X_MEASURED)


def test_what_is_stored_is_what_was_parsed(tmp_path):
    with App(Settings.from_env({"QDISPATCH_HOME": str(tmp_path)})) as app:
        services = app.services
        user = ensure_user(services, "bob")
        exp = create_experiment(services, user, "e")
        stored = submit_circuit(services, user, exp.id, LOOK_ALIKE)
        assert get_circuit(services, user, stored.id).qasm == canonical_source(LOOK_ALIKE)
        assert "\r" not in stored.qasm and stored.analytics.gates_total == 1


def _wait(services, user, job_id: str):
    deadline = time.monotonic() + 120
    while True:
        job = get_job(services, user, job_id).job
        if job.status in ("Done", "Error", "Cancelled") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_one_users_look_alike_cannot_change_anothers_results(tmp_path):
    """Bob's look-alike is read (and cached, by the parser and the simulator's compiler) first;
    Alice's `x; measure` must still measure 1, on the real default (SQLite, Aer, worker)."""
    with App(Settings.from_env({"QDISPATCH_HOME": str(tmp_path)})) as app:
        services = app.services
        alice, bob = ensure_user(services, "alice"), ensure_user(services, "bob")
        app.worker()

        def run(user, source):
            exp = create_experiment(services, user, "e")
            request = {
                "experiment_id": exp.id,
                "circuits_qasm": [source],
                "device_id": "aer_simulator",
                "shots": 64,
            }
            return _wait(services, user, submit_run(services, user, request).job_id)

        bobs = run(bob, LOOK_ALIKE)
        alices = run(alice, X_MEASURED)
        assert alices.results == [{"1": 64}], alices.error
        # Bob's text reads the same way: \r ends the comment, as in OpenQASM 3's grammar.
        assert bobs.results == [{"1": 64}], bobs.error


# -- the property: identity equal ⇒ parsed circuits equal ------------------------------------

STATEMENTS = [
    "h q[0];",
    "x q[1];",
    "cx q[0], q[1];",
    "rz(0.25) q[1];",
    "// a comment",
    "// note",
    "barrier q;",
    "measure q[0] -> c[0];",
    "measure q[1] -> c[1];",
    "U(0.1, 0.2, 0.3) q[0];",
    "gate g a { x a; }",
    "g q[0];",
    "h q[0]; // trailing comment",
    "",
]
BREAKS = st.sampled_from(["\n", "\r\n", "\r", " \n", "\t\r\n", "  \r"])


@st.composite
def sources(draw) -> str:
    body = draw(st.lists(st.sampled_from(STATEMENTS), max_size=8))
    head = ["OPENQASM 2.0;", 'include "qelib1.inc";', "qreg q[2];", "creg c[2];"]
    text = ""
    for line in head + body:
        text += line + draw(BREAKS)
    return text + draw(st.sampled_from(["", " ", "\n", "\r\n\r\n  "]))


def _read(source: str):
    try:
        return ("circuit", parse_qasm(source))
    except BadRequest as err:
        return ("refused", err.message)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sources(), sources())
def test_identity_equal_means_parsed_circuits_equal(a, b):
    if content_hash(a) == content_hash(b):
        assert _read(a) == _read(b)
    else:
        assert canonical_source(a) != canonical_source(b)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sources(), BREAKS)
def test_respelling_line_breaks_keeps_identity_and_circuit(a, newline):
    """The same text with its line breaks respelt: one identity, one circuit."""
    b = a.replace("\r\n", "\n").replace("\r", "\n").replace("\n", newline)
    assert content_hash(a) == content_hash(b)
    assert _read(a) == _read(b)


@pytest.mark.slow
async def test_over_mcp_stdio_the_look_alike_is_the_same_circuit(tmp_path):
    async with stdio_server(tmp_path / "home", tmp_path / "server.log") as client:
        exp = await experiment(client)
        seen = []
        for source in (LOOK_ALIKE, X_MEASURED):
            failed, text, _ = await tool(
                client, "submit_circuit_for_analytics", experiment_id=exp, circuit_qasm=source
            )
            assert not failed, text
            seen.append(json.loads(text))
        assert seen[0]["id"] == seen[1]["id"]  # one identity
        assert seen[0]["analytics"]["operations"] == {"x": 1, "measure": 1}  # read alike
