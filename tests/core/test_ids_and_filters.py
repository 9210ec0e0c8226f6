"""Ids that do not exist are 404s everywhere, filters that narrow listings, names for circuits
stored from files: the core behaviour every door shares."""

import pytest

from qdispatch_core.errors import BadRequest, NotFound
from qdispatch_core.usecases import (
    create_experiment,
    get_experiment,
    list_circuits,
    list_jobs,
    submit_circuit,
    submit_run,
)
from tests.samples import BELL_QASM2, BELL_QASM3, PARAM_2Q


def test_a_name_shaped_like_an_experiment_id_is_that_id(services, user, experiment):
    assert create_experiment(services, user, experiment.id) == experiment
    with pytest.raises(NotFound):
        create_experiment(services, user, "exp_nope")
    with pytest.raises(BadRequest, match="shaped like a job id"):
        create_experiment(services, user, "job_123")
    assert [e.name for e in services.repository.state.experiments.values()] == ["exp"]


def test_a_truncated_experiment_id_is_a_404_naming_the_full_one(services, user, experiment):
    with pytest.raises(NotFound) as err:
        get_experiment(services, user, experiment.id[:10])
    assert f"did you mean {experiment.id!r}?" in err.value.message
    stranger = create_experiment(services, _other(services), "theirs")
    with pytest.raises(NotFound) as err:
        get_experiment(services, user, stranger.id[:10])
    assert stranger.id not in err.value.message  # never another user's id


def _other(services):
    from qdispatch_core.usecases import ensure_user

    return ensure_user(services, "mallory", 0)


def test_list_jobs_filters_dry_runs(services, user, experiment):
    def run(dry: bool) -> str:
        request = {
            "experiment_id": experiment.id,
            "circuits_qasm": [BELL_QASM2],
            "device_id": "dummy_simulator",
            "dry_run": dry,
        }
        return submit_run(services, user, request).job_id

    real, dry = run(False), run(True)
    assert [j.id for j in list_jobs(services, user, dry_run=True)] == [dry]
    assert [j.id for j in list_jobs(services, user, dry_run=False)] == [real]
    assert {j.id for j in list_jobs(services, user)} == {real, dry}
    with pytest.raises(BadRequest, match="dry_run"):
        list_jobs(services, user, dry_run="yes")


def test_list_circuits_of_every_experiment(services, user, experiment):
    other = create_experiment(services, user, "other")
    first = submit_circuit(services, user, experiment.id, BELL_QASM2)
    second = submit_circuit(services, user, other.id, BELL_QASM3)
    assert {c.id for c in list_circuits(services, user, None)} == {first.id, second.id}
    assert [c.id for c in list_circuits(services, user, other.id)] == [second.id]


def test_circuits_stored_by_a_run_take_the_names_given(services, user, experiment):
    old = submit_circuit(services, user, experiment.id, BELL_QASM2, "bell-kept")
    response = submit_run(
        services,
        user,
        {
            "experiment_id": experiment.id,
            "circuits_qasm": [BELL_QASM2, PARAM_2Q],
            "parameters": [[], [0.1, 0.2]],
            "device_id": "dummy_simulator",
        },
        circuit_names=["bell", "ansatz"],
    )
    job = services.repository.state.jobs[response.job_id]
    names = [services.repository.state.circuits[c].name for c in job.circuit_ids]
    assert job.circuit_ids[0] == old.id and names == ["bell-kept", "ansatz"]
    with pytest.raises(BadRequest, match=r"circuit_names\[0\]: control character"):
        submit_run(
            services,
            user,
            {"experiment_id": experiment.id, "circuits_qasm": [BELL_QASM3]} | _dummy(),
            circuit_names=["\x1b[2J"],
        )


def _dummy():
    return {"device_id": "dummy_simulator"}


def test_control_characters_are_refused_in_names_and_descriptions(services, user, experiment):
    with pytest.raises(BadRequest, match="name: control character U\\+001B"):
        create_experiment(services, user, "sweep\x1b[31m")
    assert create_experiment(services, user, "multi", "line one\n\tline two").description == (
        "line one\n\tline two"
    )
    request = {"experiment_id": experiment.id, "circuits_qasm": [BELL_QASM2]} | _dummy()
    with pytest.raises(BadRequest, match="name: control character"):
        submit_run(services, user, request | {"name": "\x9b2J"})
    with pytest.raises(BadRequest, match="description: control character U\\+0007"):
        submit_run(services, user, request | {"description": "ding\x07"})
    with pytest.raises(BadRequest, match="name: control character"):
        submit_circuit(services, user, experiment.id, BELL_QASM2, "a\rb")
    assert list_jobs(services, user) == []  # nothing stored by a refused request
