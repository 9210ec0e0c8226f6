"""Observables on cloud QPUs: one `EstimatorV2` job with one PUB per circuit, through the real
`QiskitRuntimeService` against the recorded platform (cloud_mock.py, whose estimator program
runs the submitted PUBs on the fake twin at the submitted resilience level), and through the
real worker, restart included."""

from __future__ import annotations

import json
import logging
import math

import numpy as np
import pytest

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import BadRequest, ProviderError
from qdispatch_core.rules.options import split_options
from qdispatch_core.rules.plan import assemble
from qdispatch_core.rules.readout_errors import uncertainties_of
from qdispatch_core.usecases import get_job, submit_run
from qdispatch_ibm import IBMBackend
from tests.contract.backend_contract import drive, make_spec
from tests.providers.ibm.cloud_mock import TOKEN
from tests.providers.ibm.test_worker import Clock, DiesOnSecondPoll, crash_then_reattach, world
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, PARAM_2Q

S = JobStatus
DEVICE = "ibm_manila"
# (phi, theta): ry(phi) on qubit 1, rx(theta) on qubit 0, CNOT 0 -> 1; with phi = 0,
# ⟨ZZ⟩ = 1 and ⟨IZ⟩ = cos(theta)
SETS = [[0.0, 0.0], [0.0, math.pi / 2], [0.0, math.pi]]
SWEEP_OBSERVABLES = [[["ZZ"], [1.0]], [["IZ"], [1.0]]]
BELL_OBSERVABLES = [[["ZZ"], [1.0]], [["XX"], [1.0]], [["YY"], [1.0]]]  # exact: 1, 1, -1


@pytest.fixture
def fresh(calibration_dir):
    """A new backend object, as a new worker process would have."""
    return lambda: IBMBackend(calibration_dir=calibration_dir)


def estimator_spec(toolkit, qasms, **kwargs):
    return make_spec(toolkit, qasms, DEVICE, provider_estimates=True, **kwargs)


def submitted_params(cloud, index=0):
    """A submitted job's params as IBM received them (the recorded HTTP request body)."""
    calls = cloud.rsps.calls
    posts = [c for c in calls if c.request.method == "POST" and c.request.url.endswith("/jobs")]
    return json.loads(posts[index].request.body)["params"]


def decoded(params):
    from qiskit_ibm_runtime import RuntimeDecoder

    return json.loads(json.dumps(params), cls=RuntimeDecoder)


def test_cloud_devices_estimate_observables_and_fakes_measure_groups(ibm):
    for use_mitigation in (False, True):
        assert ibm.estimates_observables(ibm.get_device("ibm_torino"), use_mitigation)
        assert not ibm.estimates_observables(ibm.get_device("fake_manila"), use_mitigation)


def test_one_estimator_job_one_pub_per_circuit_observables_on_the_layout(
    cloud, fresh, ibm_credentials, qiskit_toolkit
):
    from qiskit.primitives.containers.estimator_pub import EstimatorPub
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_ibm_runtime.utils.validations import is_isa_circuit

    backend = fresh()
    device = backend.get_device(DEVICE, ibm_credentials)
    spec = estimator_spec(
        qiskit_toolkit,
        [PARAM_2Q, BELL_NO_MEASURE],
        shots=3000,
        parameters=[SETS, [[]]],
        observables=[SWEEP_OBSERVABLES, [[["ZZ", "XX"], [1.0, 0.5]]]],
    )
    assert spec.plan.output_kind == "expectations" and len(spec.plan.executables) == 4
    backend.submit(device, spec, ibm_credentials)
    (body,) = cloud.submitted  # one job for both circuits and all three parameter sets
    assert body["program_id"] == "estimator" and body["backend"] == DEVICE
    params = submitted_params(cloud)
    assert params["options"]["default_shots"] == 3000 and params["resilience_level"] == 0
    sweep, bell = (
        EstimatorPub.coerce(tuple(x for x in p if x is not None)) for p in decoded(params)["pubs"]
    )
    assert sweep.observables.shape == (2, 1) and sweep.parameter_values.shape == (3,)
    assert sweep.shape == (2, 3)  # evs[observable, parameter set]
    assert bell.shape == (1, 1)
    target = backend._cloud.known[DEVICE].target
    for pub in (sweep, bell):
        assert is_isa_circuit(pub.circuit, target) == ""
        assert "measure" not in pub.circuit.count_ops()  # the Estimator measures itself
    # the observables sit on the physical qubits the transpiler chose
    layout = sweep.circuit.layout
    want = SparsePauliOp("IZ").apply_layout(layout)
    (got,) = sweep.observables[1, 0].items()
    assert got[0] == want.paulis[0].to_label() and len(got[0]) == 5  # ISA width: 5 qubits


@pytest.mark.parametrize(
    "use_mitigation, options, level",
    [(False, {}, 0), (True, {}, 1), (True, {"resilience_level": 2}, 2)],
)
def test_resilience_level_follows_use_mitigation(
    cloud, fresh, ibm_credentials, qiskit_toolkit, use_mitigation, options, level
):
    backend = fresh()
    device = backend.get_device(DEVICE, ibm_credentials)
    spec = estimator_spec(
        qiskit_toolkit,
        [BELL_NO_MEASURE],
        shots=500,
        observables=BELL_OBSERVABLES,
        options=options,
        use_mitigation=use_mitigation,
    )
    backend.validate(device, spec)
    backend.submit(device, spec, ibm_credentials)
    assert submitted_params(cloud)["resilience_level"] == level


def test_status_sequence_values_errors_and_cost(cloud, fresh, ibm_credentials, qiskit_toolkit):
    backend = fresh()
    device = backend.get_device(DEVICE, ibm_credentials)
    spec = estimator_spec(
        qiskit_toolkit, [PARAM_2Q], shots=4000, parameters=SETS, observables=SWEEP_OBSERVABLES
    )
    ids = backend.submit(device, spec, ibm_credentials)
    states = [backend.poll(device, ids, ibm_credentials).status for _ in range(3)]
    assert states == [S.QUEUED, S.RUNNING, S.DONE]
    execution = backend.fetch(device, spec, ids, ibm_credentials)
    assert execution.mitigation is None  # not asked; the job ran at resilience_level 0
    assert cloud.estimated_levels == [0]
    (values,), (errors,) = assemble(spec.plan, execution.outputs, execution.uncertainties)
    zz, z0 = values
    for value in zz:
        assert 0.85 < value <= 1.0  # noisy, unmitigated
    for value, ideal in zip(z0, [1.0, 0.0, -1.0], strict=True):
        assert abs(value - ideal) < 0.12
    # exactly what the platform sent: the PubResult's evs[observable, set] and stds
    from qiskit_ibm_runtime import RuntimeDecoder

    (sent,) = json.loads(cloud.jobs[ids[0]].result_text, cls=RuntimeDecoder)
    assert np.allclose(values, sent.data.evs) and np.allclose(errors, sent.data.stds)
    assert all(0 < e < 0.05 for row in errors for e in row)
    assert execution.cost.to_dict()["native"] == {"amount": 2.5, "unit": "s"}
    assert any("resilience_level 0" in note for note in execution.notes)


def test_mitigation_at_level_1_is_recorded_and_brings_values_closer(
    cloud, fresh, ibm_credentials, qiskit_toolkit
):
    def bell_values(use_mitigation):
        spec = estimator_spec(
            qiskit_toolkit,
            [BELL_NO_MEASURE],
            shots=8000,
            observables=BELL_OBSERVABLES,
            use_mitigation=use_mitigation,
        )
        _, state, execution = drive(fresh(), spec, ibm_credentials)
        assert state.status is S.DONE, state.message
        (values,) = execution.outputs
        return values, execution

    exact = [1.0, 1.0, -1.0]
    raw, plain = bell_values(False)
    mitigated, execution = bell_values(True)
    raw_error = sum(abs(v - e) for v, e in zip(raw, exact, strict=True))
    mitigated_error = sum(abs(v - e) for v, e in zip(mitigated, exact, strict=True))
    print(
        f"\nBell ZZ/XX/YY: level 0 {raw} (error {raw_error:.3f}); level 1 {mitigated} "
        f"(error {mitigated_error:.3f})"
    )
    assert mitigated_error < raw_error / 2, (raw, mitigated)
    record = execution.mitigation
    assert record["applied"] and record["resilience_level"] == 1
    assert "TREX" in record["method"] and record["applied_by"].startswith("IBM Quantum")
    # Issue 23: the errors are IBM's own `stds`, and the record says so; the core keeps it.
    assert record["uncertainties"].startswith("the standard errors IBM's Estimator reports")
    spec = estimator_spec(
        qiskit_toolkit, [BELL_NO_MEASURE], shots=8000, observables=BELL_OBSERVABLES
    )
    kept, job_record = uncertainties_of(spec.plan, [[0.01, 0.02, 0.03]], record, None, None)
    assert kept == [[0.01, 0.02, 0.03]] and job_record == record
    assert record["reported_by_ibm"] == {"measure_mitigation": True, "zne_mitigation": False}
    assert execution.raw_outputs is None and plain.mitigation is None
    assert cloud.estimated_levels == [0, 1]


def test_a_sampler_job_is_not_read_as_estimates(cloud, fresh, ibm_credentials, qiskit_toolkit):
    backend = fresh()
    counts = make_spec(qiskit_toolkit, [BELL_QASM2], DEVICE, shots=100)
    ids, state, _ = drive(backend, counts, ibm_credentials)
    observables = estimator_spec(qiskit_toolkit, [BELL_NO_MEASURE], observables=[["ZZ"], [1.0]])
    device = backend.get_device(DEVICE, ibm_credentials)
    with pytest.raises(ProviderError, match="ran the sampler program"):
        fresh().fetch(device, observables, ids, ibm_credentials)


def test_results_of_another_shape_are_a_provider_error(qiskit_toolkit):
    from qiskit.primitives import DataBin, PrimitiveResult, PubResult

    from qdispatch_ibm.batches import decode_estimates

    spec = estimator_spec(
        qiskit_toolkit, [PARAM_2Q], parameters=SETS, observables=SWEEP_OBSERVABLES
    )
    evs = np.zeros((2, 2))  # two parameter sets where the plan has three
    wrong = PrimitiveResult([PubResult(DataBin(evs=evs, stds=evs, shape=evs.shape))])
    with pytest.raises(ProviderError, match=r"shape \(2, 2\) for 2 observables × 3"):
        decode_estimates(wrong, spec)
    with pytest.raises(ProviderError, match="0 results for 1 PUBs"):
        decode_estimates(PrimitiveResult([]), spec)


def test_resilience_level_is_refused_where_it_would_change_nothing(ibm, qiskit_toolkit):
    device = ibm.get_device("ibm_torino")
    assert split_options({"resilience_level": 2}, device)[0] == {"resilience_level": 2}
    for value in (0, 3):
        with pytest.raises(BadRequest, match="resilience_level"):
            split_options({"resilience_level": value}, device)
    options = {"resilience_level": 1}
    unmitigated = make_spec(
        qiskit_toolkit,
        [BELL_NO_MEASURE],
        device.id,
        observables=[["ZZ"], [1.0]],
        options=options,
        provider_estimates=True,
    )
    with pytest.raises(BadRequest, match="set use_mitigation") as refused:
        ibm.validate(device, unmitigated)
    assert refused.value.field == "options['resilience_level']"
    counts = make_spec(
        qiskit_toolkit, [BELL_QASM2], device.id, options=options, use_mitigation=True
    )
    with pytest.raises(BadRequest, match="mthree"):
        ibm.validate(device, counts)


def test_estimates_count_the_groups_the_core_would_measure_and_the_mitigation(ibm, qiskit_toolkit):
    from qdispatch_ibm.pricing import JOB_OVERHEAD_S

    device = ibm.get_device("ibm_fez")  # no credentials: planned on the fake_fez snapshot

    def seconds(observables, **kwargs):
        spec = make_spec(
            qiskit_toolkit,
            [BELL_NO_MEASURE],
            device.id,
            shots=1000,
            observables=observables,
            provider_estimates=True,
            **kwargs,
        )
        return ibm.estimate_cost(device, spec).native_amount - JOB_OVERHEAD_S

    one = seconds([["ZZ", "IZ"], [1.0, 1.0]])  # one qubit-wise-commuting group
    two = seconds([["ZZ", "XX"], [1.0, 1.0]])  # two groups
    assert 0.25 < one < 0.27  # 1000 × (250 µs + a few µs of circuit)
    assert two == pytest.approx(2 * one, rel=0.05)
    trex = seconds([["ZZ", "XX"], [1.0, 1.0]], use_mitigation=True)
    assert trex == pytest.approx(3 * one, rel=0.05)  # + TREX readout learning, ~shots
    zne = seconds([["ZZ", "XX"], [1.0, 1.0]], use_mitigation=True, options={"resilience_level": 2})
    assert zne == pytest.approx(7 * one, rel=0.1)  # 2 groups × 3 noise factors + TREX


def test_a_dry_run_says_the_estimator_chooses_its_circuits(ibm):
    services, user, experiment = world(ibm)
    request = {
        "experiment_id": experiment.id,
        "circuits_qasm": [BELL_NO_MEASURE],
        "device_id": "ibm_torino",
        "shots": 1000,
        "observables": [["ZZ", "XX", "IZ"], [1.0, 1.0, 0.5]],
        "use_mitigation": True,
        "dry_run": True,
    }
    job = get_job(services, user, submit_run(services, user, request).job_id).job
    assert job.status == "Done" and job.results is None
    assert job.plan["expectations_by"] == "provider" and job.plan["measurement_groups"] == [0]
    note = " ".join(job.plan["notes"])
    assert "Estimator at resilience_level 1" in note and "the 2 circuits" in note
    assert 3.7 < job.estimated_cost.native["amount"] < 3.8  # 3 s + (2 groups + TREX) × ~0.25 s


def test_the_worker_reattaches_to_an_estimator_job_after_a_restart(
    cloud, ibm_credentials, calibration_dir, caplog
):
    caplog.set_level(logging.DEBUG)
    clock = Clock()
    cloud.script = ("Queued", "Queued", "Running", "Completed")
    services, user, experiment = world(DiesOnSecondPoll(calibration_dir=calibration_dir), clock)
    request = {
        "experiment_id": experiment.id,
        "circuits_qasm": [PARAM_2Q],
        "device_id": DEVICE,
        "shots": 4000,
        "parameters": SETS,
        "observables": SWEEP_OBSERVABLES,
        "use_mitigation": True,
        "options": dict(ibm_credentials),
    }
    response = submit_run(services, user, request)
    view = crash_then_reattach(services, user, response.job_id, cloud, clock, calibration_dir)
    job = view.job
    # §5 nesting: circuits → observables → parameter sets, errors alike
    ((zz, z0),) = job.results
    ((zz_err, z0_err),) = job.uncertainties
    assert len(zz) == len(z0) == len(zz_err) == len(z0_err) == 3
    for value in zz:
        assert abs(value - 1.0) < 0.05  # TREX (level 1) removed most of the readout error
    for value, ideal in zip(z0, [1.0, 0.0, -1.0], strict=True):
        assert abs(value - ideal) < 0.08
    assert all(0 < e < 0.1 for e in zz_err + z0_err)
    assert job.mitigation["resilience_level"] == 1 and cloud.estimated_levels == [1]
    # the estimator job is re-attached by id alone; its inputs are read back once, at the
    # end, for the record of what ran (the circuits as sent)
    job_id = job.provider_job_ids[0]  # the one runtime job, re-attached
    reads = [c.request.url for c in cloud.rsps.calls if c.request.url.endswith(f"/jobs/{job_id}")]
    assert len(reads) == 1
    (executed,) = job.plan["ran"]["executed"]
    assert executed["executables"] == [0, 3] and job.plan["ran"]["resilience_level"] == 1
    assert job.cost.native == {"amount": 2.5, "unit": "s"}
    assert TOKEN not in view.model_dump_json() and TOKEN not in caplog.text
