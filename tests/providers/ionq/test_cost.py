"""Cost: free simulator, the published gate-shot formula, the account's rates from IonQ's
estimate endpoint, and IonQ's own figure after the run."""

from __future__ import annotations

import pytest

from qdispatch_core.domain import Cost
from qdispatch_ionq import IonQBackend
from qdispatch_ionq.pricing import PUBLISHED, rates_from_estimate
from qdispatch_ionq.settings import RunSettings
from tests.contract.backend_contract import make_spec
from tests.providers.ionq.conftest import API_KEY, run_job
from tests.samples import BELL_QASM2, ghz


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
    monkeypatch.setenv("IONQ_API_KEY", API_KEY)  # estimate_cost gets no credentials
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
