"""7. Primitives in a loop: the estimator calls of a VQE-style loop (2-qubit H2 Hamiltonian,
`real_amplitudes` ansatz, exact values) through `qdispatch.primitives.EstimatorV2`, against
qiskit-aer's own `EstimatorV2` in the same loop. Calls per second.

No target: every qdispatch call is a persisted job (request validated, circuit stored, worker
hand-off, results written), which the reference does not do; the row shows what that costs.
"""

from __future__ import annotations

import numpy as np
from common import Row, timed


def run(client, quick: bool) -> list[Row]:
    from qiskit.circuit.library import real_amplitudes
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_aer.primitives import EstimatorV2 as AerEstimator

    from qdispatch.primitives import EstimatorV2

    calls, repetitions = (10, 1) if quick else (100, 3)
    hamiltonian = SparsePauliOp.from_list(
        [("II", -1.0524), ("IZ", 0.3979), ("ZI", -0.3979), ("ZZ", -0.0113), ("XX", 0.1809)]
    )
    ansatz = real_amplitudes(2, reps=1)
    points = np.random.default_rng(5).uniform(-np.pi, np.pi, (calls, ansatz.num_parameters))
    ours = EstimatorV2(client, "aer_simulator", default_precision=0, experiment="bench-prims")
    aer = AerEstimator()

    def loop(estimator):
        return [
            float(estimator.run([(ansatz, hamiltonian, x)], precision=0).result()[0].data.evs)
            for x in points
        ]

    if not np.allclose(loop(ours), loop(aer), atol=1e-9):  # warm both up, and check they agree
        raise AssertionError("qdispatch's EstimatorV2 and Aer's disagree")
    q_rates, r_rates = [], []
    for _ in range(repetitions):
        r_rates.append(calls / timed(lambda: loop(aer))[0])
        q_rates.append(calls / timed(lambda: loop(ours))[0])
    return [
        Row(
            f"primitives: {calls} EstimatorV2 calls (VQE loop, 2 qubits, exact)",
            "calls/s",
            q_rates,
            r_rates,
            "qiskit-aer EstimatorV2, same loop",
            "— (each qdispatch call is a persisted job)",
        )
    ]
