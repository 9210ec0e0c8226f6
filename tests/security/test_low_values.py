"""L1–L3: huge integers are 400s (not 500s); booleans are never integers, nor integers booleans,
in the core or over MCP; errors quote at most ~80 characters of a value and never a value given
under a credential-like key or in an option that refuses it."""

from __future__ import annotations

import pytest
from mcp import Client

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.text import QUOTE_MAX
from qdispatch_core.usecases import create_experiment, ensure_user, list_jobs, submit_run
from qdispatch_mcp import build_server
from tests.app.conftest import fake_app
from tests.conftest import fake_services
from tests.security.stdio import experiment, still_answers, tool

pytestmark = pytest.mark.anyio

BELL = "OPENQASM 2.0;\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\nmeasure q[0] -> c[0];\n"
THETA = (
    "OPENQASM 3.0;\ninput float theta;\nqubit[1] q;\nbit[1] c;\nrx(theta) q[0];\nc = measure q;\n"
)
HUGE = 10**400
TOKEN = "tok-" + "9" * 60 + "-SECRET"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def setup():
    services = fake_services()
    user = ensure_user(services, "alice", 100)
    exp = create_experiment(services, user, "e")
    return services, user, {"experiment_id": exp.id, "device_id": "dummy_simulator"}


def refusal(setup, **request) -> BadRequest:
    services, user, base = setup
    with pytest.raises(BadRequest) as err:
        submit_run(services, user, {"circuits_qasm": [BELL], **base, **request})
    return err.value


@pytest.mark.parametrize(
    "request_, field",
    [
        ({"circuits_qasm": [THETA], "parameters": [HUGE]}, "parameters[0][0][0]"),
        ({"observables": [["ZZ"], [HUGE]]}, "observables[0][0][1][0]"),
        ({"options": {"seed": HUGE}}, "options['seed']"),
        ({"options": {"seed": -HUGE}}, "options['seed']"),
        ({"shots": HUGE}, "shots"),
        ({"circuits_qasm": [THETA], "parameters": {"theta": 1e400}}, "parameters[0][0]['theta']"),
    ],
)
def test_huge_numbers_are_400s_that_do_not_print_them(setup, request_, field):
    err = refusal(setup, **request_)
    assert err.code == 400 and err.field == field, err.message
    assert len(err.message) < 400 and "0" * 100 not in err.message


@pytest.mark.parametrize(
    "request_, field",
    [
        ({"shots": True}, "shots"),
        ({"dry_run": 1}, "dry_run"),
        ({"use_mitigation": 0}, "use_mitigation"),
        ({"dry_run": "true"}, "dry_run"),
        ({"circuits_qasm": [THETA], "parameters": [True]}, "parameters"),
        ({"observables": [["ZZ"], [True]]}, "observables[0][0][1][0]"),
        ({"options": {"seed": True}}, "options['seed']"),
    ],
)
def test_booleans_and_integers_never_stand_for_each_other_in_the_core(setup, request_, field):
    err = refusal(setup, **request_)
    assert err.field == field, err.message


def test_listing_limits_are_integers_not_booleans(setup):
    services, user, _ = setup
    with pytest.raises(BadRequest):
        list_jobs(services, user, None, None, True)


@pytest.mark.parametrize(
    "request_",
    [
        {"options": {"seed": TOKEN}},  # a token pasted into the wrong option
        {"options": {"sed": TOKEN}},  # a misspelt option
        {"options": {"fake_token": TOKEN}},  # another device's credential
        {"options": {"seed": {"api_key": TOKEN}}},
        {"circuits_qasm": [THETA], "parameters": {"theta": {"token": TOKEN}}},
        {"circuits_qasm": [THETA], "parameters": [[{"session_token": TOKEN}]]},
        {"circuits_qasm": [THETA], "parameters": {"x" * 10_000: 1.0, "theta": 0.1}},
        {"observables": [["Z" * 1_000_000], [1.0]]},
        {"circuit_ids": ["cir_" + "a" * 100_000]},
        {"device_id": "d" * 100_000},
    ],
)
def test_errors_quote_little_and_never_a_credential(setup, request_):
    services, user, base = setup
    with pytest.raises(Exception) as err:
        submit_run(services, user, {"circuits_qasm": [BELL], **base, **request_})
    message = str(err.value)
    assert TOKEN not in message and "SECRET" not in message, message
    assert len(message) < 600, len(message)
    longest_run = max(len(run) for run in message.replace("'", " ").split())
    assert longest_run <= QUOTE_MAX + 10, message


async def test_over_mcp_booleans_are_not_integers_and_huge_numbers_are_400s(tmp_path):
    app = fake_app(tmp_path)
    async with Client(build_server(lambda: app)) as client:
        exp = await experiment(client)
        base = {"experiment_id": exp, "circuits_qasm": [BELL], "device_id": "dummy_simulator"}
        for bad in (
            {"shots": True},
            {"dry_run": 1},
            {"use_mitigation": "yes"},
            {"shots": HUGE},
            {"options": {"seed": TOKEN}},
        ):
            failed, text, _ = await tool(client, "run_circuits_on_qpu_or_simulator", **base, **bad)
            assert failed and text.startswith("400 "), (bad, text)
            assert TOKEN not in text and "0" * 100 not in text, text
        for name, arguments in (
            ("list_jobs", {"limit": True}),
            ("list_circuits_in_experiment", {"experiment_id": exp, "limit": False}),
            ("wait_for_job", {"job_id": "job_x", "timeout_s": True}),
        ):
            failed, text, _ = await tool(client, name, **arguments)
            assert failed and text.startswith("400 "), (name, text)
        await still_answers(client)
    app.close()
