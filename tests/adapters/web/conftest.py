"""The dashboard on the core's fakes, driven by Starlette's test client."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient

from qdispatch import App
from qdispatch_core.usecases import create_experiment, create_user, submit_run
from qdispatch_web import create_dashboard, for_host
from tests.app.conftest import fake_app
from tests.conftest import run_all
from tests.samples import BELL_QASM2, PARAM_2Q

LOCAL = "http://127.0.0.1"


@dataclass
class World:
    app: App
    user: object
    experiment: str
    done: str  # a finished Bell job
    sweep: str  # observables over parameter sets
    queued: str  # submitted, never run
    circuit: str
    other_user_job: str
    other_key: str
    key: str


def _run(app: App, user, experiment: str, **request) -> str:
    return submit_run(app.services, user, {"experiment_id": experiment, **request}).job_id


@pytest.fixture
def world(tmp_path) -> World:
    app = fake_app(tmp_path, default_credits="50")
    from qdispatch_core.usecases.execution import JobRunner, WorkerConfig

    user, key = create_user(app.services, "alice", 20)
    other, other_key = create_user(app.services, "bob", 20)
    exp = create_experiment(app.services, user, "bell").id
    done = _run(app, user, exp, circuits_qasm=[BELL_QASM2], device_id="dummy_simulator")
    sweep = _run(app, user, exp, circuits_qasm=[PARAM_2Q], device_id="dummy_simulator",
                 parameters=[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]],
                 observables=[[["ZZ", "XX"], [1.0, 0.5]], [["ZI"], [1.0]]])  # fmt: skip
    theirs = create_experiment(app.services, other, "theirs").id
    other_job = _run(app, other, theirs, circuits_qasm=[BELL_QASM2], device_id="dummy_simulator")
    run_all(JobRunner(app.services, WorkerConfig("w", lease_seconds=30)))
    queued = _run(app, user, exp, circuits_qasm=[BELL_QASM2], device_id="dummy_qpu",
                  shots=100, options={"fake_token": "t"})  # fmt: skip
    from qdispatch_core.usecases import get_job

    circuit = get_job(app.services, user, done).job.circuit_ids[0]
    yield World(app, user, exp, done, sweep, queued, circuit, other_job, other_key, key)
    app.close()


@pytest.fixture
def local(world, monkeypatch) -> TestClient:
    """Local mode, acting as alice (as `QDISPATCH_API_KEY` makes the CLI do)."""
    monkeypatch.setenv("QDISPATCH_API_KEY", world.key)
    return TestClient(for_host(world.app, "127.0.0.1"), base_url=LOCAL)


@pytest.fixture
def team(world) -> TestClient:
    return TestClient(create_dashboard(world.app, team=True), base_url=LOCAL)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def log_in(client: TestClient, key: str) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"api_key": key, "csrf_token": token, "next": "/jobs"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303, response.text
