"""Issue 16, item 4: short reprs, notebook HTML, and the progress bar of `wait()`."""

from __future__ import annotations

import re

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from qdispatch import Client, JobView
from qdispatch.views import JobList
from qdispatch_core.testing import FakeBackend
from tests.app.conftest import fake_app
from tests.samples import BELL_QASM2, PARAM_2Q


def test_reprs_are_one_short_line(aer_client):
    theta = Parameter("theta")
    circuit = QuantumCircuit(2)
    circuit.ry(theta, 0)
    circuit.cx(0, 1)
    handle = aer_client.run(
        circuit,
        parameters=np.linspace(0, 3, 40),
        observables=["ZZ", "ZI"],
        shots=500,
        experiment="display",
    )
    result = handle.result(60)
    view = handle.job()
    assert isinstance(view, JobView)
    for text in (repr(handle), repr(view), str(view), repr(result), repr(aer_client.jobs())):
        assert "\n" not in text
    assert len(repr(view)) < 200 and len(repr(result)) < 200
    assert repr(view) == (
        f"JobView({handle.id!r}, status='Done', device='aer_simulator', progress=40/40, "
        "cost=$0.00, 1 circuit × 2 observables × 40 parameter sets)"
    )
    assert repr(result).startswith(f"RunResult({handle.id!r}, kind='expectation'")


def test_html_shows_status_device_cost_and_the_values(aer_client):
    theta = Parameter("theta")
    circuit = QuantumCircuit(2)
    circuit.ry(theta, 0)
    circuit.cx(0, 1)
    angles = [0.0, 1.0, 2.0]
    handle = aer_client.run(
        circuit,
        parameters=angles,
        observables="ZI",
        run_type="StatevectorRun",
        experiment="display",
    )
    result = handle.result(60)
    html = result._repr_html_()
    assert ">Done<" in html and "aer_simulator" in html and "$0.00" in html
    for p, angle in enumerate(angles):
        value = result.expectation_value(p=p)
        assert abs(value - np.cos(angle)) < 1e-12
        assert f"{value:.6g}" in html and f"theta={angle:.4g}" in html
    assert ">Done<" in handle._repr_html_() and ">Done<" in handle.job()._repr_html_()
    listing = aer_client.jobs(limit=5)
    assert isinstance(listing, JobList) and handle.id in listing._repr_html_()


def test_html_histogram_and_escaping(aer_client):
    handle = aer_client.run(
        BELL_QASM2,
        shots=300,
        name="<b>bell</b>",
        experiment="display",
        options={"seed_simulator": 5},
    )
    html = handle.result(60)._repr_html_()
    counts = handle.result().counts()
    for bits, n in counts.items():
        assert re.search(rf"<code>{bits}</code></td><td[^>]*>{n}</td>", html)
    assert "&lt;b&gt;bell&lt;/b&gt;" in html and "<b>bell</b>" not in html


def test_html_of_a_failed_job_shows_its_error(tmp_path):
    app = fake_app(tmp_path, FakeBackend(fail_message="device <offline>"), default_credits="10")
    with Client(app=app, progress=False) as client:
        handle = client.run([BELL_QASM2], "dummy_qpu", options={"fake_token": "tok"})
        view = handle.wait(10)
    assert view.status == "Error" and "device &lt;offline&gt;" in view._repr_html_()


def test_wait_shows_a_progress_bar_that_follows_the_job(tmp_path, capsys):
    app = fake_app(tmp_path, FakeBackend(delay=0.05))
    with Client(app=app) as client:
        sets = [[0.1, 0.01 * i] for i in range(20)]
        handle = client.run(PARAM_2Q, "dummy_simulator", parameters=sets)
        assert handle.wait(30, progress=True).status == "Done"
        shown = capsys.readouterr().err
        quiet = client.run(PARAM_2Q, "dummy_simulator", parameters=sets)
        assert quiet.wait(30, progress=False).status == "Done"
        assert capsys.readouterr().err == ""
    assert handle.id in shown and "20/20" in shown and "Done" in shown
    frames = re.findall(r"(\d+)/20", shown)
    assert len(set(frames)) >= 2  # it moved, not just drawn at the end


def test_progress_follows_the_clients_setting(tmp_path, capsys):
    app = fake_app(tmp_path, FakeBackend(delay=0.05))
    with Client(app=app, progress=False) as client:
        sets = [[0.1, 0.01 * i] for i in range(12)]
        assert client.run(PARAM_2Q, "dummy_simulator", parameters=sets).result(30).raw
        assert capsys.readouterr().err == ""
        client.progress = True
        client.run(PARAM_2Q, "dummy_simulator", parameters=sets).result(30)
        assert "12/12" in capsys.readouterr().err
