"""Readout-corrected expectation values on IonQ's noisy simulator carry the corrected
estimator's standard errors (issue 23)."""

from __future__ import annotations

from qdispatch_core.rules.plan import assemble
from qdispatch_core.rules.readout_errors import HOW, uncertainties_of
from qdispatch_ionq import IonQBackend
from tests.contract.backend_contract import make_spec
from tests.providers.ionq.conftest import API_KEY, run_job
from tests.providers.ionq.fake_ionq import FakeIonQ, readout_rates
from tests.samples import BELL_NO_MEASURE

NOISY = {"noise_model": "aria-1", "seed_simulator": 7}


def test_mitigated_errors_are_the_raw_shot_noise_amplified_by_the_correction(qiskit_toolkit):
    server = FakeIonQ(API_KEY, readout_error=0.05)
    try:
        kwargs = {"shots": 4000, "observables": [[["ZZ"], [1.0]]], "options": NOISY}
        backend = IonQBackend(remote_host=server.url)
        _, execution = run_job(
            backend, qiskit_toolkit, [BELL_NO_MEASURE], use_mitigation=True, **kwargs
        )
    finally:
        server.close()
    spec = make_spec(qiskit_toolkit, [BELL_NO_MEASURE], "ionq_simulator", **kwargs)
    ((q0, q1),) = execution.readout  # one executable, two bits reading qubits 0 and 1
    _, quasi_errors = assemble(spec.plan, execution.outputs)
    _, raw_errors = assemble(spec.plan, execution.raw_outputs)
    errors, record = uncertainties_of(
        spec.plan, quasi_errors, execution.mitigation, execution.raw_outputs, execution.readout
    )
    assert record["uncertainties"] == HOW
    (e0, _), (_, f1) = readout_rates("aria-1", 0), readout_rates("aria-1", 1)
    assert abs(q0[0] - e0) < 0.02 and abs(q1[1] - f1) < 0.02
    amplification = 1 / ((1 - q0[0] - q0[1]) * (1 - q1[0] - q1[1]))
    (error,), (raw_error,) = errors[0], raw_errors[0]
    assert abs(error / raw_error - amplification) < 0.1 * amplification
    assert quasi_errors[0][0] < error / 3
