"""Every 400/402/404 path of run contract §3 and billing §9, and nothing stored on rejection."""

from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qdispatch_core.usecases import ensure_user, get_job, submit_circuit, submit_run
from qdispatch_core.usecases.runs import human_bytes
from qdispatch_core.usecases.users import balance
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, BELL_QASM3, BROKEN, PARAM_2Q


def snapshot(services):
    s = services.repository.state
    return (len(s.circuits), len(s.jobs), len(s.secrets), len(s.ledger))


def request(experiment, **overrides):
    base = {
        "experiment_id": experiment.id,
        "circuits_qasm": [BELL_QASM2],
        "device_id": "dummy_simulator",
    }
    return base | overrides


def rejected(services, user, payload, code, field=None, words=""):
    before = snapshot(services)
    with pytest.raises(Exception) as err:
        submit_run(services, user, payload)
    assert getattr(err.value, "code", None) == code, err.value
    if field is not None:
        assert err.value.field == field, err.value
    assert words in err.value.message, err.value.message
    assert snapshot(services) == before  # nothing half-stored
    return err.value


def test_accepted_request_returns_at_once_with_a_context(services, user, experiment):
    response = submit_run(services, user, request(experiment))
    assert response.status == "Submitted" and response.device_id == "dummy_simulator"
    assert response.job_id in response.context
    assert f"get_job_results_and_status with job_id={response.job_id}" in response.context
    job = get_job(services, user, response.job_id).job
    assert job.progress.total == 1 and job.circuit_ids


@pytest.mark.parametrize(
    "overrides, code, field, words",
    [
        ({"experiment_id": "exp_nope"}, 404, "experiment_id", "no experiment"),
        ({"circuit_ids": ["cir_nope"]}, 404, "circuit_ids[0]", "no circuit"),
        ({"circuits_qasm": []}, 400, "circuits_qasm", "at least one circuit"),
        ({"circuits_qasm": [BELL_QASM2, BROKEN]}, 400, "circuits_qasm[1]", "line 4"),
        ({"circuits_qasm": [""]}, 400, "circuits_qasm[0]", "OpenQASM"),
        ({"device_id": "nope"}, 404, "device_id", "unknown device"),
        ({"device_id": "ionq_qpu_forte_1"}, 404, "device_id", "pip install qdispatch-ionq"),
        ({"run_type": "run"}, 400, "run_type", "'Run' or 'StatevectorRun'"),
        (
            {"device_id": "dummy_qpu", "run_type": "StatevectorRun"},
            400,
            "run_type",
            "cannot do StatevectorRun",
        ),
        ({"shots": 0}, 400, "shots", "1..100000"),
        ({"shots": 100_001}, 400, "shots", "1..100000"),
        ({"shots": "100"}, 400, "shots", "valid integer"),
        ({"shots": True}, 400, "shots", "valid integer"),
        ({"name": "n" * 201}, 400, "name", "at most 200"),
        ({"description": "d" * 1025}, 400, "description", "at most 1024"),
        ({"options": {"sede": 1}}, 400, "options['sede']", "accepted: seed"),
        ({"options": {"seed": 13}}, 400, "options['seed']", "unlucky"),  # the backend's own check
        (
            {"circuits_qasm": [BELL_NO_MEASURE]},
            400,
            "circuits_qasm[0]",
            "circuit 1 has no measurements; add them or pass observables",
        ),
        ({"circuits_qasm": [PARAM_2Q]}, 400, "parameters", "no values were given"),
        ({"parameters": [0.1]}, 400, "parameters[0]", "has no parameters"),
        ({"observables": [["ZZZ"], [1.0]]}, 400, "observables[0][0][0][0]", "exactly 2"),
        ({"observables": "ZZ"}, 400, "observables", "fits no shape"),
        ({"unexpected": 1}, 400, "unexpected", "unknown field"),
        ({"device_id": "dummy_qpu"}, 400, "options", "needs credentials fake_token"),
    ],
)
def test_rejections(services, user, experiment, overrides, code, field, words):
    rejected(services, user, request(experiment, **overrides), code, field, words)


def test_too_many_qubits_for_the_device(services, user, experiment):
    from tests.samples import ghz

    rejected(
        services,
        user,
        request(experiment, circuits_qasm=[ghz(11)]),
        400,
        "circuits_qasm[0]",
        "11 qubits; dummy_simulator has 10",
    )


@pytest.mark.parametrize(
    "limit, qubits, vector, need, allowed",
    [
        (1000, 5, "512 B", "1.0 KiB", "1,000 B"),
        (1024, 8, "4.0 KiB", "8.0 KiB", "1.0 KiB"),
        (30_000, 10, "16.0 KiB", "32.0 KiB", "29.3 KiB"),
    ],
)
def test_statevector_memory_check_says_how_much_is_needed(limit, qubits, vector, need, allowed):
    from qdispatch_core.usecases import Limits, create_experiment
    from tests.conftest import fake_services
    from tests.samples import ghz

    services = fake_services(limits=Limits(simulation_memory_bytes=limit))
    u = ensure_user(services, "alice")
    exp = create_experiment(services, u, "x")
    err = rejected(
        services,
        u,
        request(exp, circuits_qasm=[ghz(qubits, measure=False)], run_type="StatevectorRun"),
        400,
        "run_type",
    )
    assert err.message == (
        f"circuit 1 has {qubits} qubits: its state vector needs {vector} (16·2^{qubits} bytes) "
        f"plus working memory, {need} in all, more than the {allowed} a simulation may use; "
        "use fewer qubits, pass observables, or use run_type Run"
    )


KiB, MiB, GiB, TiB = 1024, 1024**2, 1024**3, 1024**4


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "0 B"),
        (1, "1 B"),
        (1023, "1,023 B"),
        (1023.5, "1.0 KiB"),  # would print as 1,024 B: the next unit instead
        (KiB, "1.0 KiB"),
        (1536, "1.5 KiB"),
        (MiB - 1, "1.0 MiB"),  # 1,023.999 KiB would print as 1,024.0 KiB
        (MiB, "1.0 MiB"),
        (1023.9 * MiB, "1,023.9 MiB"),
        (GiB, "1.0 GiB"),
        (8 * GiB, "8.0 GiB"),
        (TiB - 1, "1.0 TiB"),
        (TiB, "1.0 TiB"),
        (2048 * TiB, "2,048.0 TiB"),
    ],
)
def test_human_bytes_picks_the_unit_at_the_right_boundary(n, text):
    assert human_bytes(n) == text


_UNIT = {"B": 1, "KiB": KiB, "MiB": MiB, "GiB": GiB, "TiB": TiB}


def _read_back(text: str) -> tuple[Decimal, str]:
    """The count a text stands for, exactly: in floating point, "11.8 KiB" read back is a few
    ulps off 11.8 · 1024, so an exact half-digit error (12032 B is 11.75 KiB) looked too big."""
    figure, unit = text.split(" ")
    return Decimal(figure.replace(",", "")) * _UNIT[unit], unit


@example(12032, 12032)  # 11.75 KiB, shown 11.8: an exact half-digit error
@example(22784, 22784)  # 22.25 KiB, shown 22.2
@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**52), st.integers(0, 2**52))
def test_human_bytes_is_monotonic_close_and_never_shows_zero(a, b):
    a, b = min(a, b), max(a, b)
    (shown_a, unit_a), (shown_b, _) = _read_back(human_bytes(a)), _read_back(human_bytes(b))
    assert shown_a <= shown_b  # a bigger count never reads smaller
    # Off by at most half the last digit (22784 B is 22.25 KiB, shown 22.2: exactly half).
    assert abs(shown_a - a) <= Decimal("0.05") * _UNIT[unit_a]
    figure = shown_a / _UNIT[unit_a]
    assert figure < 1024 or unit_a == "TiB"  # never "1,024.0 KiB"
    assert figure >= 1 or unit_a == "B"  # never "0.0 MiB": small counts stay in bytes
    assert (shown_a == 0) == (a == 0)


def test_other_users_circuits_and_experiments_are_404(services, user, experiment):
    other = ensure_user(services, "mallory")
    circuit = submit_circuit(services, user, experiment.id, BELL_QASM2)
    rejected(services, other, request(experiment), 404, "experiment_id")
    from qdispatch_core.usecases import create_experiment

    theirs = create_experiment(services, other, "theirs")
    rejected(
        services,
        other,
        request(theirs, circuit_ids=[circuit.id], circuits_qasm=[]),
        404,
        "circuit_ids[0]",
    )


def test_a_statevector_run_ignores_shots_and_needs_no_measurements(services, user, experiment):
    response = submit_run(
        services,
        user,
        request(
            experiment, circuits_qasm=[BELL_NO_MEASURE], run_type="StatevectorRun", shots=10**9
        ),
    )
    assert response.status == "Submitted"


def test_circuits_run_stored_first_then_inline(services, user, experiment):
    stored = submit_circuit(services, user, experiment.id, BELL_QASM3)
    response = submit_run(
        services, user, request(experiment, circuit_ids=[stored.id], circuits_qasm=[BELL_QASM2])
    )
    job = get_job(services, user, response.job_id).job
    assert job.circuit_ids[0] == stored.id and len(job.circuit_ids) == 2


def test_402_when_the_balance_does_not_cover_the_estimate(services, experiment):
    poor = ensure_user(services, "poor", "0.5")
    from qdispatch_core.usecases import create_experiment

    exp = create_experiment(services, poor, "e")
    err = rejected(
        services,
        poor,
        request(exp, device_id="dummy_qpu", shots=1000, options={"fake_token": "t0ken-XYZ"}),
        402,
        "billing",
        "$1",
    )
    assert "t0ken-XYZ" not in str(err)
    assert balance(services, poor) == Decimal("0.5")


def test_a_priced_job_reserves_its_estimate(services, user, experiment):
    response = submit_run(
        services,
        user,
        request(experiment, device_id="dummy_qpu", shots=1000, options={"fake_token": "tok-1234"}),
    )
    assert response.estimated_cost.converted == {"amount": 1.0, "unit": "USD"}
    assert balance(services, user) == Decimal(99)


def test_free_devices_never_reach_billing(services, experiment):
    broke = ensure_user(services, "broke", 0)
    from qdispatch_core.usecases import create_experiment

    exp = create_experiment(services, broke, "e")
    submit_run(services, broke, request(exp))
    assert [e for e in services.repository.state.ledger if e.user_id == broke.id] == []


def test_credentials_are_sealed_not_stored_in_the_job(services, user, experiment):
    token = "PLANTED-TOKEN-123"
    response = submit_run(
        services,
        user,
        request(
            experiment, device_id="dummy_qpu", options={"fake_token": token, "priority": "low"}
        ),
    )
    job = get_job(services, user, response.job_id)
    assert token not in job.model_dump_json() and token not in response.model_dump_json()
    assert job.job.options == {"priority": "low"}
    sealed = services.repository.state.secrets[response.job_id]
    assert token.encode() not in sealed


def test_dry_run_plans_without_credentials_billing_or_execution(services, fake_backend, experiment):
    poor = ensure_user(services, "poor", 0)
    from qdispatch_core.usecases import create_experiment

    exp = create_experiment(services, poor, "e")
    response = submit_run(
        services,
        poor,
        request(
            exp,
            device_id="dummy_qpu",
            dry_run=True,
            shots=1000,
            observables=[["ZZ", "XX", "ZI"], [1, 1, 1]],
        ),
    )
    job = get_job(services, poor, response.job_id).job
    assert job.status == "Done" and job.results is None
    assert job.estimated_cost.converted["amount"] == 2.0  # 2 groups × 1000 shots
    assert job.plan["executables"] == 2 and job.plan["total_shots"] == 2000
    assert job.plan["circuits"][0]["transpiled_2q_gates"] == 1
    assert [e for e in services.repository.state.ledger if e.user_id == poor.id] == []
    assert fake_backend.submissions == []
    assert "Nothing was executed" in response.context


@pytest.mark.parametrize("field", ["name", "description"])
@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800b"])
def test_text_a_database_cannot_store_is_a_400(services, user, experiment, field, bad):
    rejected(services, user, request(experiment, **{field: bad}), 400, field, "NUL character")


def test_a_nul_in_a_circuit_is_a_400(services, user, experiment):
    rejected(
        services,
        user,
        request(experiment, circuits_qasm=[BELL_QASM2 + "\x00"]),
        400,
        "circuits_qasm[0]",
        "NUL character",
    )


def test_a_circuit_stored_concurrently_by_another_submission_is_reused(services, user, experiment):
    """Two submissions of one new circuit race: ours misses it by hash, then its insert
    conflicts. The transaction is tried again and finds the stored circuit."""
    from qdispatch_core.testing.memory import _Circuits

    first = submit_circuit(services, user, experiment.id, BELL_QASM2)
    misses = {"left": 1}
    original = _Circuits.by_hash

    def racing_by_hash(self, owner_id, experiment_id, content_hash):
        if misses["left"]:
            misses["left"] -= 1
            return None  # the other submission has not committed when we look
        return original(self, owner_id, experiment_id, content_hash)

    _Circuits.by_hash = racing_by_hash
    try:
        response = submit_run(services, user, request(experiment))
    finally:
        _Circuits.by_hash = original
    job = get_job(services, user, response.job_id).job
    assert job.circuit_ids == [first.id] and misses["left"] == 0
