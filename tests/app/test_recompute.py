"""`Client.recompute` / `qdispatch jobs recompute` on a mitigated fake-twin job (issue 23): the
same numbers when nothing changed, from SQLite, with the IBM backend untouched."""

from __future__ import annotations

import pytest

from qdispatch import App, Client, Settings
from qdispatch_ibm import IBMBackend
from tests.adapters.cli.conftest import make_cli

TWO_ANGLES = """OPENQASM 3.0;
include "stdgates.inc";
input float theta;
input float phi;
qubit[2] q;
rx(theta) q[0];
ry(phi) q[1];
cx q[0], q[1];
"""

BACKEND_CALLS = (
    "submit",
    "poll",
    "fetch",
    "run_shard",
    "finish_local",
    "prepare",
    "validate",
    "estimate_cost",
    "cancel",
)


@pytest.fixture(scope="module")
def mitigated(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    client = Client(app=App(Settings.from_env({"QDISPATCH_HOME": str(home)})), progress=False)
    handle = client.run(
        TWO_ANGLES,
        device_id="fake_manila",
        shots=2000,
        parameters=[[0.3, 0.2], [1.1, 0.4]],
        observables=["ZZ", "XX"],
        use_mitigation=True,
        options={"seed_simulator": 4},
    )
    yield client, handle, handle.result(timeout=180)
    client.close()


@pytest.fixture
def provider_untouched(monkeypatch):
    """Every IBMBackend method that could reach IBM or a simulator fails the test."""

    def refuse(name):
        def called(*args, **kwargs):
            raise AssertionError(f"recompute called IBMBackend.{name}")

        return called

    for name in BACKEND_CALLS:
        monkeypatch.setattr(IBMBackend, name, refuse(name))


def test_recompute_gives_the_same_numbers_without_the_provider(mitigated, provider_untouched):
    client, handle, result = mitigated
    assert result.mitigation["uncertainties"].startswith("standard errors of the readout")
    again = handle.recompute()
    assert again.raw == result.raw and again.raw_uncertainties == result.raw_uncertainties
    assert again.mitigation == result.mitigation
    history = handle.result_history()
    assert history[0]["results"] == result.raw and history[0]["version"] == 1
    # Stored: a new client on the same database reads the new version's log line.
    job = handle.job()
    assert "as version" in job.logs[-1] and "nothing was charged" in job.logs[-1]


def test_jobs_recompute_in_the_cli(mitigated, provider_untouched, tmp_path, monkeypatch):
    client, handle, result = mitigated
    cli = make_cli(tmp_path, monkeypatch, client.app)
    shown = cli("jobs", "recompute", handle.id)
    assert shown.exit_code == 0, shown.output
    assert "recomputed from the stored outputs" in shown.stdout and "nothing ran" in shown.stdout
    # The ± standard errors say how they were obtained under mitigation.
    assert "Standard errors: standard errors of the readout-corrected estimator" in shown.stdout
    document = cli.json("jobs", "recompute", handle.id)
    assert document["results"] == result.raw and document["uncertainties"] == (
        result.raw_uncertainties
    )
