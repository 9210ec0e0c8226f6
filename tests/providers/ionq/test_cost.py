"""Cost: free simulator, the published gate-shot formula, the account's rates from IonQ's
estimate endpoint (with the job's key or the environment's), and IonQ's own figure after the
run."""

from __future__ import annotations

import logging
import threading

import pytest

from qdispatch_core.domain import Cost
from qdispatch_core.registry import BackendRegistry
from qdispatch_core.testing import FakeCipher, InMemoryRepository
from qdispatch_core.usecases import Services, create_experiment, ensure_user, get_job, submit_run
from qdispatch_ionq import IonQBackend, pricing
from qdispatch_ionq.pricing import PUBLISHED, CircuitSize, Rates, price, rates_from_estimate
from qdispatch_ionq.settings import RunSettings
from tests.contract.backend_contract import make_spec
from tests.providers.ionq.conftest import API_KEY, run_job
from tests.providers.ionq.fake_ionq import FakeIonQ
from tests.samples import BELL_QASM2, ghz

ESTIMATE_PATH = "/v0.4/jobs/estimate"
# The account's rates at the local IonQ: far from the published ones, so the figures differ.
ACCOUNT_RATES = {"cost_1q_gate": 0.0003, "cost_2q_gate": 0.002, "minimum": 0.5}


def _sizes(backend, spec):
    settings = RunSettings.resolve(spec.options)
    programs = [backend.compiler.program(spec, e, settings) for e in spec.plan.executables]
    return [(p.gates_1q, p.gates_2q) for p in programs]


def test_the_simulator_is_free_and_needs_no_compilation(qiskit_toolkit):
    backend = IonQBackend()
    spec = make_spec(qiskit_toolkit, [BELL_QASM2] * 2, "ionq_simulator", shots=300)
    cost = backend.estimate_cost(backend.get_device("ionq_simulator"), spec)
    assert cost == Cost.free("shots", 600) and cost.billable_usd == 0
    assert backend.compiler.compilations == 0


@pytest.mark.parametrize("mitigated, minimum", [(False, 12.4166), (True, 97.50)])
def test_qpu_estimates_follow_the_published_formula(qiskit_toolkit, mitigated, minimum):
    backend = IonQBackend()
    device = backend.get_device("ionq_qpu_forte_1")
    spec = make_spec(
        qiskit_toolkit, [BELL_QASM2, ghz(12)], device.id, shots=5000, use_mitigation=mitigated
    )
    (bell_1q, bell_2q), (ghz_1q, ghz_2q) = _sizes(backend, spec)
    assert (bell_2q, ghz_2q) == (1, 11)  # one CNOT per entangled pair
    cost = backend.estimate_cost(device, spec)
    rates = PUBLISHED[mitigated]
    expected = max(minimum, 5000 * (0.000220 * bell_1q + 0.000975 * bell_2q)) + max(
        minimum, 5000 * (0.000220 * ghz_1q + 0.000975 * ghz_2q)
    )
    assert rates.minimum == minimum
    assert cost.usd == pytest.approx(expected) and cost.native_unit == "gate-shots"
    assert cost.native_amount == 5000 * (bell_1q + bell_2q + ghz_1q + ghz_2q)
    assert cost.usd > minimum  # the 12-qubit GHZ costs more than the minimum


def test_the_accounts_rates_come_from_ionqs_estimate_endpoint(fake, qiskit_toolkit, monkeypatch):
    monkeypatch.setenv("IONQ_API_KEY", API_KEY)  # a key only in the environment
    backend = IonQBackend(remote_host=fake.url)
    device = backend.get_device("ionq_qpu_forte_1")
    spec = make_spec(qiskit_toolkit, [ghz(12)], device.id, shots=2000)
    before = len([r for r in fake.requests if r[1] == "/v0.4/jobs/estimate"])
    cost = backend.estimate_cost(device, spec)
    backend.estimate_cost(device, spec)
    asked = [r for r in fake.requests if r[1] == "/v0.4/jobs/estimate"][before:]
    assert len(asked) == 1  # the rates are cached
    query = {k: v[0] for k, v in asked[0][2].items()}
    ((one, two),) = _sizes(backend, spec)
    assert query == {
        "backend": "qpu.forte-1",
        "type": "ionq.circuit.v1",
        "qubits": "12",
        "shots": "2000",
        "1q_gates": str(one),
        "2q_gates": str(two),
        "error_mitigation": "false",
    }
    assert cost.usd == pytest.approx(max(1.0, 2000 * (0.0001 * one + 0.001 * two)))


def test_published_rates_stand_in_when_the_estimate_endpoint_refuses(
    fake, qiskit_toolkit, monkeypatch
):
    monkeypatch.setenv("IONQ_API_KEY", "a-key-ionq-refuses")
    backend = IonQBackend(remote_host=fake.url)
    device = backend.get_device("ionq_qpu_forte_1")
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], device.id, shots=100)
    assert backend.estimate_cost(device, spec).usd == pytest.approx(12.4166)


def test_rates_in_credits_are_not_taken_for_dollars():
    answer = {
        "cost_unit": "credits",
        "rate_information": {"cost_1q_gate": 1, "cost_2q_gate": 2, "job_cost_minimum": 3},
    }
    assert rates_from_estimate(answer) is None
    assert rates_from_estimate({**answer, "cost_unit": "usd"}).minimum == 3.0


def test_the_actual_cost_is_ionqs_own(fake, ionq, qiskit_toolkit):
    _, execution = run_job(ionq, qiskit_toolkit, [ghz(5)], "ionq_qpu_forte_1", shots=4000)
    spec = make_spec(qiskit_toolkit, [ghz(5)], "ionq_qpu_forte_1", shots=4000)
    ((one, two),) = _sizes(ionq, spec)
    # the fake bills its own rates (0.0001, 0.001, minimum 1.0) on what it received
    assert execution.cost.usd == pytest.approx(max(1.0, 4000 * (0.0001 * one + 0.001 * two)))
    assert execution.cost.native_amount == 4000 * (one + two)
    _, free = run_job(ionq, qiskit_toolkit, [ghz(5)], shots=4000)
    assert free.cost == Cost.free("shots", 4000)


# -- the job's key (options['ionq_api_key']) through submit_run --------------------------------


@pytest.fixture
def account():
    """A local IonQ of its own, so that each test sees only its own requests."""
    server = FakeIonQ(API_KEY, rates=ACCOUNT_RATES)
    yield server
    server.close()


def _submit(server, qiskit_toolkit, qasm, shots):
    """Submit a QPU job with the key only in the options; (the stored job, the backend)."""
    backend = IonQBackend(remote_host=server.url, max_retry_seconds=1, http_timeout=10)
    registry = BackendRegistry(use_entry_points=False)
    registry.add(backend)
    services = Services(InMemoryRepository(), registry, qiskit_toolkit, FakeCipher())
    user = ensure_user(services, "alice", 100)
    experiment = create_experiment(services, user, "ionq")
    request = {
        "experiment_id": experiment.id,
        "circuits_qasm": [qasm],
        "device_id": "ionq_qpu_forte_1",
        "shots": shots,
        "options": {"ionq_api_key": API_KEY},
    }
    job_id = submit_run(services, user, request).job_id
    return get_job(services, user, job_id), backend


def _figures(backend, qiskit_toolkit, qasm, shots):
    """(the account's figure, the published figure) for the job, from its compiled sizes."""
    spec = make_spec(qiskit_toolkit, [qasm], "ionq_qpu_forte_1", shots=shots)
    sizes = [CircuitSize(one, two) for one, two in _sizes(backend, spec)]
    r = ACCOUNT_RATES
    account = Rates(r["cost_1q_gate"], r["cost_2q_gate"], r["minimum"], "the local IonQ's")
    return price(sizes, shots, account).usd, price(sizes, shots, PUBLISHED[False]).usd


def test_the_jobs_key_in_the_options_prices_the_job_at_the_accounts_rates(
    account, qiskit_toolkit, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("IONQ_API_KEY", "a-key-ionq-refuses")  # the options' key comes first
    response, backend = _submit(account, qiskit_toolkit, ghz(6), 3000)
    expected, published = _figures(backend, qiskit_toolkit, ghz(6), 3000)
    assert expected != pytest.approx(published)
    assert response.job.estimated_cost.converted["amount"] == pytest.approx(expected)

    asked = [r for r in account.requests if r[1] == ESTIMATE_PATH]
    assert len(asked) == 1 and asked[0][3].get("Authorization") == f"apiKey {API_KEY}"
    assert "rates from IonQ's estimate endpoint" in caplog.text
    assert API_KEY not in caplog.text and API_KEY not in response.model_dump_json()


def test_a_failing_estimate_endpoint_leaves_the_published_formula(account, qiskit_toolkit, caplog):
    caplog.set_level(logging.DEBUG)
    account.estimate_error = 503
    response, backend = _submit(account, qiskit_toolkit, ghz(6), 3000)
    _, published = _figures(backend, qiskit_toolkit, ghz(6), 3000)
    assert response.job.estimated_cost.converted["amount"] == pytest.approx(published)

    asked = [r for r in account.requests if r[1] == ESTIMATE_PATH]
    assert len(asked) == 1 and asked[0][3].get("Authorization") == f"apiKey {API_KEY}"
    assert "estimate endpoint did not answer" in caplog.text
    assert "rates from published list price" in caplog.text
    assert API_KEY not in caplog.text and API_KEY not in response.model_dump_json()


def test_a_silent_estimate_endpoint_times_out_to_the_published_formula(
    account, qiskit_toolkit, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(pricing, "ESTIMATE_TIMEOUT", 0.5)
    account.estimate_held = threading.Event()  # IonQ never answers while the request waits
    try:
        response, backend = _submit(account, qiskit_toolkit, ghz(6), 3000)
    finally:
        account.estimate_held.set()
    _, published = _figures(backend, qiskit_toolkit, ghz(6), 3000)
    assert response.job.estimated_cost.converted["amount"] == pytest.approx(published)
    assert "rates from published list price" in caplog.text
    assert API_KEY not in caplog.text
