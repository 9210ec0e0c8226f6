"""Readout-corrected expectation values on IonQ's noisy simulator carry the corrected
estimator's standard errors; debiased ones say what their errors leave out (issue 23)."""

from __future__ import annotations

import pytest

from qdispatch_core.registry import BackendRegistry
from qdispatch_core.rules.plan import assemble
from qdispatch_core.rules.readout_errors import HOW, HOW_UNPROPAGATED, uncertainties_of
from qdispatch_core.testing import FakeCipher, InMemoryRepository
from qdispatch_core.usecases import Services, create_experiment, ensure_user, get_job, submit_run
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_ionq import IonQBackend
from qdispatch_qiskit import QiskitToolkit
from tests.conftest import run_all
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


def test_a_debiased_job_says_its_errors_may_understate_the_spread(qiskit_toolkit):
    """IonQ debiasing reports no standard errors and no correction to propagate them through:
    the job keeps the plain formula's errors and its mitigation record says they may understate
    the spread (docs/run-contract.md; the remaining limit in docs/decisions.md)."""
    server = FakeIonQ(API_KEY)
    try:
        registry = BackendRegistry(use_entry_points=False)
        registry.add(IonQBackend(remote_host=server.url))
        services = Services(InMemoryRepository(), registry, QiskitToolkit(), FakeCipher())
        user = ensure_user(services, "alice", 100)
        experiment = create_experiment(services, user, "debiased")
        request = {
            "experiment_id": experiment.id,
            "circuits_qasm": [BELL_NO_MEASURE],
            "device_id": "ionq_qpu_forte_1",
            "shots": 1000,
            "observables": [[["ZZ"], [1.0]]],
            "use_mitigation": True,
            "options": {"ionq_api_key": API_KEY},
        }
        job_id = submit_run(services, user, request).job_id
        run_all(JobRunner(services, WorkerConfig("w1"), sleep=lambda s: None))
    finally:
        server.close()
    job = get_job(services, user, job_id).job
    assert job.status == "Done", job.error
    assert server.bodies()[-1]["settings"]["error_mitigation"] == {"debiasing": True}
    assert job.mitigation["method"] == "IonQ debiasing"
    assert job.mitigation["uncertainties"] == HOW_UNPROPAGATED
    assert "correction" not in job.mitigation  # nothing to re-derive the errors from
    ((value,),) = job.results  # one circuit, one observable, no parameter sets
    ((error,),) = job.uncertainties
    assert value == pytest.approx(1.0, abs=0.1) and 0 <= error < 0.1
