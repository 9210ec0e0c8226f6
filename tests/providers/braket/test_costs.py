"""Cost estimates count the tasks and shots a job really creates: program sets where the device
runs them, one task per executable otherwise, calibration circuits where they ride along."""

from __future__ import annotations

import pytest

from qdispatch_braket import pricing
from qdispatch_braket.batches import Slice, TaskShape, plan_tasks
from qdispatch_braket.devices import ProgramSetLimits
from qdispatch_core.domain import Cost, RunType
from tests.contract.backend_contract import make_spec
from tests.samples import BELL_QASM2, PARAM_2Q, ghz

SWEEP = [[0.1 * k, 0.2] for k in range(5)]


def _estimate(braket, toolkit, device_id, qasms, **kwargs):
    spec = make_spec(toolkit, qasms, device_id, **kwargs)
    return braket.estimate_cost(braket.get_device(device_id), spec)


def test_local_simulators_are_free(braket, qiskit_toolkit):
    cost = _estimate(braket, qiskit_toolkit, "braket_local_sv", [BELL_QASM2] * 2, shots=300)
    assert cost == Cost.free("shots", 600) and cost.billable_usd == 0


def test_a_sweep_on_a_qpu_is_one_program_set_task(braket, qiskit_toolkit):
    cost = _estimate(
        braket, qiskit_toolkit, "aws_ionq_forte_1", [PARAM_2Q], parameters=SWEEP, shots=100
    )
    assert cost.to_dict() == {
        "native": {"amount": 500.0, "unit": "shots"},
        "converted": {"amount": pytest.approx(0.30 + 500 * 0.08), "unit": "USD"},
    }


def test_ionq_debiasing_makes_one_task_per_executable(braket, qiskit_toolkit):
    cost = _estimate(
        braket,
        qiskit_toolkit,
        "aws_ionq_forte_1",
        [PARAM_2Q],
        parameters=SWEEP,
        shots=2500,
        use_mitigation=True,
    )
    assert cost.usd == pytest.approx(5 * 0.30 + 5 * 2500 * 0.08)


def test_readout_calibrations_add_shots_but_no_task(braket, qiskit_toolkit):
    cost = _estimate(
        braket,
        qiskit_toolkit,
        "aws_iqm_garnet",
        [PARAM_2Q],
        parameters=SWEEP,
        shots=1000,
        use_mitigation=True,
    )
    assert cost.native_amount == 7000  # 5 executables + 2 calibration circuits
    assert cost.usd == pytest.approx(0.30 + 7000 * 0.00145)


def test_more_than_a_program_set_holds_makes_more_tasks(braket, qiskit_toolkit):
    sets = [[0.01 * k, 0.0] for k in range(150)]
    cost = _estimate(
        braket, qiskit_toolkit, "aws_iqm_garnet", [PARAM_2Q], parameters=sets, shots=10
    )
    assert cost.usd == pytest.approx(2 * 0.30 + 1500 * 0.00145)


def test_an_unknown_price_is_not_guessed(braket, qiskit_toolkit):
    cost = _estimate(braket, qiskit_toolkit, "aws_iqm_emerald", [BELL_QASM2], shots=100)
    assert cost.to_dict()["pricing_available"] is False
    assert "IQM Emerald" in cost.reason and pricing.PRICING_URL in cost.reason
    assert cost.billable_usd == 0


def test_managed_simulators_bill_at_least_three_seconds_per_task(braket, qiskit_toolkit):
    cost = _estimate(braket, qiskit_toolkit, "aws_sv1", [BELL_QASM2] * 3, shots=1000)
    assert cost.native_unit == "s" and cost.native_amount == 9.0
    assert cost.usd == pytest.approx(9 / 60 * 0.075)
    exact = _estimate(
        braket,
        qiskit_toolkit,
        "aws_sv1",
        [PARAM_2Q],
        parameters=SWEEP,
        run_type=RunType.STATEVECTOR,
    )
    assert exact.native_amount == 15.0  # one shots=0 task per parameter set


def test_big_simulations_cost_more_than_the_minimum(braket, qiskit_toolkit):
    small = _estimate(braket, qiskit_toolkit, "aws_dm1", [ghz(4)], shots=100)
    big = _estimate(braket, qiskit_toolkit, "aws_dm1", [ghz(17)], shots=100)
    assert small.native_amount == 3.0
    assert big.native_amount == pytest.approx(pricing.simulated_seconds(17, 17, True))
    assert big.native_amount > 60 and big.usd > small.usd


def test_tasks_split_by_executables_and_by_total_shots():
    limits = ProgramSetLimits(max_executables=3, max_total_shots=1000)
    tasks = plan_tasks([2, 4], shots=100, limits=limits)
    assert tasks == [
        TaskShape((Slice(0, 0, 2), Slice(1, 0, 1)), True),
        TaskShape((Slice(1, 1, 3),), True),
    ]
    by_shots = plan_tasks([5], shots=400, limits=limits)  # 2 executables fit 1000 shots
    assert [t.executables for t in by_shots] == [2, 2, 1]
    too_many_shots = plan_tasks([2], shots=5000, limits=limits)
    assert too_many_shots == [
        TaskShape((Slice(0, 0, 1),), False),
        TaskShape((Slice(0, 1, 1),), False),
    ]
    assert [t.program_set for t in plan_tasks([3], 10, None)] == [False] * 3
