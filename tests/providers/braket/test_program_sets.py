"""Sweeps run as program sets on the local simulators too: one task per program set, split
when a set would exceed the device's limits, read back in the plan's order."""

from __future__ import annotations

import math

from braket.devices import LocalSimulator

from qdispatch_braket import mitigation as m
from qdispatch_braket.batches import Unit, Workload, braket_tasks, build, plan_tasks
from qdispatch_braket.catalog import load_catalog
from qdispatch_braket.devices import from_local_facts
from qdispatch_braket.programs import Source
from qdispatch_braket.settings import RunSettings
from qdispatch_core.domain import RunType
from tests.contract.backend_contract import make_spec
from tests.providers.braket.conftest import run_job
from tests.samples import BELL_QASM2, PARAM_2Q

SV = from_local_facts(load_catalog()["local"]["braket_local_sv"])
NONE = m.Decision(m.NOT_REQUESTED)


def _tasks(braket, toolkit, qasms, **kwargs):
    spec = make_spec(toolkit, qasms, "braket_local_sv", **kwargs)
    workload = build(spec, SV, RunSettings.resolve(spec.options), NONE, braket.compiler)
    return list(braket_tasks(workload))


def test_a_sweep_and_plain_circuits_share_one_program_set(braket, qiskit_toolkit):
    tasks = _tasks(
        braket, qiskit_toolkit, [BELL_QASM2, PARAM_2Q], shots=10, parameters=[[], [[0.1, 0.2]] * 3]
    )
    (task,) = tasks
    assert task.executables == 4 and task.shots == 40
    assert [len(p.inputs or {}) for p in task.specification.entries] == [0, 2]


def test_big_sweeps_split_into_several_program_sets_in_order(braket, qiskit_toolkit):
    # phi alternates 0, pi: qubit 1 reads 0, 1, 0, 1, ... across 150 executables
    sets = [[math.pi * (k % 2), 0.0] for k in range(150)]
    tasks = _tasks(braket, qiskit_toolkit, [PARAM_2Q], shots=10, parameters=sets)
    assert [t.executables for t in tasks] == [100, 50]
    outputs = run_job(braket, qiskit_toolkit, [PARAM_2Q], shots=10, parameters=sets).outputs
    assert outputs == [{"10": 10} if k % 2 else {"00": 10} for k in range(150)]


def test_a_program_without_inputs_is_repeated_once_per_executable():
    # e.g. a parameterised circuit whose parameters the transpiler optimised away
    source = Source("OPENQASM 3.0;\nqubit[1] q;\nbit[1] b;\nx q[0];\nb[0] = measure q[0];\n", {})
    workload = Workload(
        units=(Unit(source, ({}, {}, {})),),
        shapes=tuple(plan_tasks([3], 5, SV.program_sets)),
        shots=5,
        executables=3,
        debias=False,
    )
    (task,) = braket_tasks(workload)
    assert task.executables == 3 and len(task.specification.entries) == 3
    result = LocalSimulator("braket_sv").run(task.specification).result()
    assert [dict(e.counts) for c in result.entries for e in c.entries] == [{"1": 5}] * 3


def test_shots_beyond_a_program_sets_total_run_one_task_per_executable(braket, qiskit_toolkit):
    shots = SV.program_sets.max_total_shots + 1
    tasks = _tasks(braket, qiskit_toolkit, [PARAM_2Q], shots=shots, parameters=[[0, 0], [0, 0]])
    assert [(t.executables, t.shots) for t in tasks] == [(1, shots), (1, shots)]
    assert all(type(t.specification).__name__ == "Program" for t in tasks)


def test_exact_runs_are_one_zero_shot_task_per_executable(braket, qiskit_toolkit):
    tasks = _tasks(
        braket,
        qiskit_toolkit,
        [PARAM_2Q],
        run_type=RunType.STATEVECTOR,
        parameters=[[0.1, 0.2], [0.3, 0.4]],
    )
    assert [t.shots for t in tasks] == [0, 0]
    assert all("#pragma braket result state_vector" in t.specification.source for t in tasks)
