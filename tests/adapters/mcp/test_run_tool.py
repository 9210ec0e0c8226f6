import pytest
from mcp import Client

from qdispatch_core.usecases import list_jobs
from qdispatch_mcp import build_server
from tests.adapters.mcp.conftest import call, refused
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, BROKEN, PARAM_2Q

pytestmark = pytest.mark.anyio


async def experiment(client, name="e") -> str:
    return (await call(client, "create_new_experiment", name=name))["id"]


async def test_a_run_returns_at_once_and_its_results_arrive(client):
    exp = await experiment(client)
    run = await call(
        client,
        "run_circuits_on_qpu_or_simulator",
        experiment_id=exp,
        circuits_qasm=[BELL_QASM2],
        device_id="dummy_simulator",
        shots=100,
    )
    assert run["status"] == "Submitted" and run["device_id"] == "dummy_simulator"
    assert run["estimated_cost"]["converted"]["amount"] == 0
    job_id = run["job_id"]
    assert f"get_job_results_and_status with job_id={job_id}" in run["context"]
    out = await call(client, "wait_for_job", job_id=job_id, timeout_s=10)
    job = out
    assert job["status"] == "Done" and job["id"] == job_id
    (counts,) = job["results"]
    assert sum(counts.values()) == 100
    assert "Done" in out["context"] and "counts" in out["context"]


async def test_stored_circuits_parameters_and_observables_nest_as_the_contract_says(client):
    exp = await experiment(client)
    stored = await call(
        client, "submit_circuit_for_analytics", experiment_id=exp, circuit_qasm=PARAM_2Q
    )
    run = await call(
        client,
        "run_circuits_on_qpu_or_simulator",
        experiment_id=exp,
        circuit_ids=[stored["id"]],
        circuits_qasm=[BELL_QASM2],
        device_id="dummy_simulator",
        parameters=[[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], []],
        observables=[[["ZZ", "XX"], [1.0, 0.5]], [[["ZI"], [1.0]], [["IZ"], [1.0]]]],
    )
    job = await call(client, "wait_for_job", job_id=run["job_id"])
    assert job["status"] == "Done"
    assert job["circuit_ids"][0] == stored["id"]
    results, errors = job["results"], job["uncertainties"]
    # circuits → observables → parameter sets
    assert [len(c) for c in results] == [1, 2]
    assert [len(o) for o in results[0]] == [3] and [len(o) for o in results[1]] == [1, 1]
    assert all(isinstance(v, float) for v in results[0][0])
    assert [len(o) for o in errors[0]] == [3]


async def test_a_dry_run_is_done_at_once_with_a_plan_and_no_results(client):
    exp = await experiment(client)
    run = await call(
        client,
        "run_circuits_on_qpu_or_simulator",
        experiment_id=exp,
        circuits_qasm=[BELL_QASM2],
        device_id="dummy_qpu",
        dry_run=True,
        shots=1000,
    )
    assert run["status"] == "Done" and run["estimated_cost"]["converted"]["amount"] == 1.0
    assert "Dry run" in run["context"]
    job = await call(client, "get_job_results_and_status", job_id=run["job_id"])
    assert job["results"] is None and job["plan"]["circuits"][0]["transpiled_depth"] == 3


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({}, "400 circuit_ids/circuits_qasm: give at least one circuit"),
        ({"circuits_qasm": [BROKEN]}, "400 circuits_qasm[0]: line 4"),
        ({"circuits_qasm": [BELL_QASM2], "run_type": "run"}, "400 run_type: Input should be"),
        ({"circuits_qasm": [BELL_QASM2], "shots": 0}, "400 shots: expected 1..100000"),
        ({"circuits_qasm": [BELL_QASM2], "shots": "many"}, "400 shots:"),
        ({"circuits_qasm": [BELL_QASM2], "shot": 10}, "400 shot: unknown argument"),
        ({"circuits_qasm": [BELL_NO_MEASURE]}, "400 circuit 1 has no measurements"),
        ({"circuits_qasm": [PARAM_2Q]}, "400 parameters"),
        ({"circuits_qasm": [BELL_QASM2], "observables": [["Z"], [1.0]]}, "400 observables"),
        ({"circuits_qasm": [BELL_QASM2], "options": {"sead": 1}}, "400 options['sead']"),
        ({"circuits_qasm": [BELL_QASM2], "name": "n" * 201}, "400 name"),
        ({"circuits_qasm": [BELL_QASM2], "device_id": "nosuch"}, "404 device_id"),
        ({"circuit_ids": ["cir_nope"]}, "404 circuit_ids[0]"),
        ({"circuits_qasm": [BELL_QASM2], "experiment_id": "exp_nope"}, "404 experiment_id"),
    ],
)
async def test_a_refused_run_starts_with_its_code_and_stores_nothing(
    client, app, arguments, expected
):
    request = {"experiment_id": await experiment(client), "device_id": "dummy_simulator"}
    text = await refused(client, "run_circuits_on_qpu_or_simulator", **{**request, **arguments})
    assert text.startswith(expected), text
    assert list_jobs(app.services, app.default_user) == []
    listed = await call(
        client, "list_circuits_in_experiment", experiment_id=request["experiment_id"]
    )
    assert listed["circuits"] == []


async def test_a_run_the_balance_cannot_cover_is_402_and_stores_nothing(client, app):
    exp = await experiment(client)
    text = await refused(
        client,
        "run_circuits_on_qpu_or_simulator",
        experiment_id=exp,
        circuits_qasm=[BELL_QASM2],
        device_id="dummy_qpu",
        shots=1000,
        options={"fake_token": "tok"},
    )
    assert text.startswith("402 the estimated cost of this job is $1")
    assert "add credit or reduce the shots" in text
    assert list_jobs(app.services, app.default_user) == []


async def test_a_funded_user_runs_on_the_paid_device(make_app):
    app = make_app(default_credits="5")
    async with Client(build_server(lambda: app)) as client:
        exp = await experiment(client)
        run = await call(
            client,
            "run_circuits_on_qpu_or_simulator",
            experiment_id=exp,
            circuits_qasm=[BELL_QASM2],
            device_id="dummy_qpu",
            shots=1000,
            options={"fake_token": "tok", "priority": "high"},
        )
        job = await call(client, "wait_for_job", job_id=run["job_id"])
    assert job["status"] == "Done" and job["cost"]["converted"]["amount"] == 1.0
    assert job["options"] == {"priority": "high"}  # the credential is not part of the job
