import logging

import pytest
from mcp import Client

from qdispatch_core.testing import FakeBackend
from qdispatch_mcp import build_server
from qdispatch_mcp.calls import INTERNAL_ERROR
from tests.adapters.mcp.conftest import call, everything_said
from tests.samples import BELL_QASM2

pytestmark = pytest.mark.anyio

SECRET = "tok-PLANTED-5e3c1f9a7b"


class CrashingBackend(FakeBackend):
    """A provider bug whose message quotes the credential, as careless SDKs do."""

    def estimate_cost(self, device, spec, *, credentials=None):
        raise RuntimeError(f"estimator blew up with token {SECRET}")


async def test_a_planted_credential_appears_in_no_response_and_no_log_line(make_app, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app(default_credits="10")
    said = []
    async with Client(build_server(lambda: app)) as client:

        async def say(tool, **arguments):
            result = await client.call_tool(tool, arguments)
            said.append(everything_said(result))
            return result

        exp = (await call(client, "create_new_experiment", name="e"))["id"]
        request = {"experiment_id": exp, "circuits_qasm": [BELL_QASM2], "device_id": "dummy_qpu"}
        run = await say(
            "run_circuits_on_qpu_or_simulator", **request, shots=10, options={"fake_token": SECRET}
        )
        job_id = run.structured_content["job_id"]
        await say("wait_for_job", job_id=job_id, timeout_s=10)
        await say("get_job_results_and_status", job_id=job_id)
        await say("list_jobs")
        await say("cancel_job", job_id=job_id)
        # Refusals must name the key, never the value.
        refusals = [
            await say(
                "run_circuits_on_qpu_or_simulator",
                **{**request, "device_id": "dummy_simulator"},
                options={"ibm_quantum_token": SECRET},
            ),
            await say("run_circuits_on_qpu_or_simulator", **request, options=f"token={SECRET}"),
            await say("run_circuits_on_qpu_or_simulator", options={"fake_token": SECRET}),
            await say(
                "run_circuits_on_qpu_or_simulator",
                **request,
                options={"fake_token": SECRET, "priority": "urgent"},
            ),
        ]
    assert all(r.is_error and r.content[0].text.startswith("400 ") for r in refusals)
    assert "ibm_quantum_token" in refusals[0].content[0].text
    assert app.backends.get("fake").credentials_seen == [{"fake_token": SECRET}]  # it was used
    assert len(said) == 9
    for text in said:
        assert SECRET not in text
    assert caplog.records and SECRET not in caplog.text


async def test_an_unexpected_failure_is_a_generic_error_and_a_scrubbed_log(make_app, caplog):
    app = make_app(CrashingBackend())
    async with Client(build_server(lambda: app)) as client:
        exp = (await call(client, "create_new_experiment", name="e"))["id"]
        result = await client.call_tool(
            "run_circuits_on_qpu_or_simulator",
            {
                "experiment_id": exp,
                "circuits_qasm": [BELL_QASM2],
                "device_id": "dummy_qpu",
                "options": {"fake_token": SECRET},
            },
        )
    assert result.is_error and result.content[0].text == INTERNAL_ERROR
    assert "RuntimeError" in caplog.text and "estimator blew up with token ***" in caplog.text
    assert SECRET not in caplog.text
