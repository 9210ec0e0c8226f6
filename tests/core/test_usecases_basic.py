from decimal import Decimal

import pytest

from qdispatch_core.errors import BadRequest, Conflict, NotFound, Unauthorized
from qdispatch_core.usecases import (
    authenticate,
    create_experiment,
    create_user,
    credit_user,
    ensure_user,
    get_circuit,
    get_experiment,
    list_circuits,
    list_devices,
    list_experiments,
    list_users,
    submit_circuit,
)
from tests.samples import BELL_QASM2, BELL_QASM3, BROKEN, PARAM_ORDER


def test_users_get_an_api_key_shown_once_and_stored_as_a_hash(services):
    user, key = create_user(services, "bob", 5)
    assert authenticate(services, key) == user
    state = services.repository.state
    assert key not in state.api_keys and len(state.api_keys) == 1
    with pytest.raises(Unauthorized):
        authenticate(services, key + "x")
    with pytest.raises(Unauthorized):
        authenticate(services, None)


def test_user_names_are_unique_and_credit_adds_up(services):
    create_user(services, "bob", "2.50")
    with pytest.raises(Conflict):
        create_user(services, "bob")
    assert credit_user(services, "bob", 1) == Decimal("3.50")
    with pytest.raises(BadRequest):
        credit_user(services, "bob", -1)
    with pytest.raises(NotFound):
        credit_user(services, "nobody", 1)
    assert [(u.name, b) for u, b in list_users(services)] == [("bob", Decimal("3.50"))]


def test_ensure_user_creates_once(services):
    first = ensure_user(services, "local", 10)
    assert ensure_user(services, "local", 99) == first
    assert list_users(services)[0][1] == Decimal(10)


def test_experiment_names_return_the_existing_one(services, user):
    first = create_experiment(services, user, "vqe", "first")
    again = create_experiment(services, user, "vqe", "ignored")
    assert again == first
    assert get_experiment(services, user, first.id) == first
    assert list_experiments(services, user) == [first]


def test_experiments_are_private(services, user):
    other = ensure_user(services, "mallory")
    exp = create_experiment(services, user, "mine")
    with pytest.raises(NotFound):
        get_experiment(services, other, exp.id)
    assert list_experiments(services, other) == []
    # The same name is free for another user.
    assert create_experiment(services, other, "mine").id != exp.id


@pytest.mark.parametrize("name, description", [("", ""), ("x" * 201, ""), ("ok", "d" * 1025)])
def test_experiment_field_limits(services, user, name, description):
    with pytest.raises(BadRequest):
        create_experiment(services, user, name, description)


def test_circuits_are_deduplicated_by_content_per_experiment(services, user, experiment):
    a = submit_circuit(services, user, experiment.id, BELL_QASM2, "bell")
    b = submit_circuit(services, user, experiment.id, BELL_QASM2.replace("\n", "\r\n") + "  \n")
    assert a.id == b.id
    c = submit_circuit(services, user, experiment.id, BELL_QASM3)
    assert c.id != a.id and c.qasm_version == 3
    other = create_experiment(services, user, "other")
    assert submit_circuit(services, user, other.id, BELL_QASM2).id != a.id
    assert get_circuit(services, user, a.id).analytics.qubits == 2
    assert [x.id for x in list_circuits(services, user, experiment.id)] == [c.id, a.id]


def test_circuit_analytics_follow_the_parser(services, user, experiment):
    circuit = submit_circuit(services, user, experiment.id, PARAM_ORDER)
    assert circuit.analytics.parameter_names == ("theta10", "theta2")


def test_a_bad_circuit_is_a_400_with_its_position_and_stores_nothing(services, user, experiment):
    with pytest.raises(BadRequest) as err:
        submit_circuit(services, user, experiment.id, BROKEN)
    assert "circuit_qasm: line 4" in err.value.message
    assert list_circuits(services, user, experiment.id) == []


def test_circuits_of_an_unknown_experiment_are_404(services, user):
    with pytest.raises(NotFound):
        submit_circuit(services, user, "exp_missing", BELL_QASM2)


def test_devices_list_simulators_first(services):
    assert [d.id for d in list_devices(services)] == ["dummy_simulator", "dummy_qpu"]
    assert list_devices(services, provider="fake")[1].pricing is not None


@pytest.mark.parametrize("bad", ["bad\x00name", "bad\udc00name"])
def test_names_must_be_storable_text(services, user, experiment, bad):
    with pytest.raises(BadRequest) as err:
        create_experiment(services, user, bad)
    assert err.value.field == "name"
    with pytest.raises(BadRequest):
        create_user(services, bad)
    with pytest.raises(BadRequest) as err:
        submit_circuit(services, user, experiment.id, BELL_QASM2, description=bad)
    assert err.value.field == "description"
