"""1. Exact sweep: a 12-qubit ansatz, many parameter sets, 4 observables of ~10 terms,
StatevectorRun on aer_simulator, from submission to Done (database included), against
qiskit_aer.primitives.EstimatorV2 (precision 0) on the same PUB.

qdispatch's Aer simulators run a sweep's experiments side by side (max_parallel_experiments=0);
the issue's reference is EstimatorV2 as it comes. A second row times EstimatorV2 on a simulator
given the same setting, so what qdispatch itself adds (parsing, planning, the database, the
worker) stays visible apart from the gain of that setting."""

from __future__ import annotations

import numpy as np
from common import Row, ratio_at_most, timed
from workloads import ansatz, observables, parameter_sets, to_qasm3


def run(client, quick: bool) -> list[Row]:
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import EstimatorV2

    sets, repetitions = (100, 1) if quick else (1000, 5)
    circuit = ansatz(12, 3)
    qasm = to_qasm3(circuit)
    obs = observables(12, 4, 10)
    params = parameter_sets(sets, circuit.num_parameters)

    estimator = EstimatorV2(options={"default_precision": 0})
    tuned = EstimatorV2.from_backend(
        AerSimulator(max_parallel_experiments=0), options={"default_precision": 0}
    )
    operators = [[SparsePauliOp(p, c)] for p, c in obs]  # shape (4, 1): broadcast over sets
    values = np.array(params)

    def reference(on=estimator):
        return on.run([(circuit, operators, values)]).result()[0].data.evs

    def qdispatch():
        job = client.run(
            qasm,
            "aer_simulator",
            run_type="StatevectorRun",
            parameters=params,
            observables=obs,
            experiment="bench-exact",
        )
        return job.result(timeout=1200)

    expected, got = reference(), qdispatch()  # warm both up, and check they agree
    if not np.allclose(np.array(got.raw[0]), expected, atol=1e-9):
        raise AssertionError("qdispatch and EstimatorV2 disagree on the exact sweep")
    if not np.allclose(reference(tuned), expected, atol=1e-9):
        raise AssertionError("the parallel setting changed EstimatorV2's values")
    q_times, r_times, tuned_times = [], [], []
    for _ in range(repetitions):  # interleaved, so drift in machine load hits all alike
        r_times.append(timed(reference)[0])
        tuned_times.append(timed(lambda: reference(tuned))[0])
        q_times.append(timed(qdispatch)[0])
    return [
        Row(
            f"exact sweep: 12q, {sets} sets × 4 obs",
            "s",
            q_times,
            r_times,
            "Aer EstimatorV2",
            "≤ 1.15× reference",
            ratio_at_most(1.15),
        ),
        Row(
            "exact sweep: same, reference run in parallel too",
            "s",
            q_times,
            tuned_times,
            "EstimatorV2, max_parallel_experiments=0",
            "— (qdispatch's own overhead)",
        ),
    ]
