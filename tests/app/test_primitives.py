"""Issue 16, item 3: Qiskit's SamplerV2 / EstimatorV2 backed by qdispatch, checked against
Qiskit's reference primitives and with Qiskit's own validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import real_amplitudes
from qiskit.primitives import (
    BaseEstimatorV2,
    BasePrimitiveJob,
    BaseSamplerV2,
    PrimitiveResult,
    StatevectorEstimator,
)
from qiskit.providers import JobStatus
from qiskit.quantum_info import Pauli, SparsePauliOp
from scipy.optimize import minimize

from qdispatch.primitives import EstimatorV2, SamplerV2

# H2 at 0.735 Å in the STO-3G basis after parity mapping and two-qubit reduction: a 2-qubit
# Hamiltonian whose ground energy is known (-1.857275 Ha; checked against numpy below).
H2 = SparsePauliOp.from_list(
    [
        ("II", -1.052373245772859),
        ("IZ", 0.39793742484318045),
        ("ZI", -0.39793742484318045),
        ("ZZ", -0.01128010425623538),
        ("XX", 0.18093119978423156),
    ]
)


def two_parameter_circuit() -> QuantumCircuit:
    angles = ParameterVector("θ", 2)
    circuit = QuantumCircuit(2)
    circuit.ry(angles[0], 0)
    circuit.rx(angles[1], 1)
    circuit.cx(0, 1)
    circuit.rz(Parameter("b"), 1)
    return circuit


def test_they_are_qiskit_primitives(aer_client):
    assert isinstance(EstimatorV2(aer_client), BaseEstimatorV2)
    assert isinstance(SamplerV2(aer_client), BaseSamplerV2)


def test_a_broadcast_pub_equals_the_statevector_estimator(aer_client):
    circuit = two_parameter_circuit()
    values = np.random.default_rng(7).uniform(-math.pi, math.pi, size=(3, 4, 3))
    observables = [[SparsePauliOp(["ZZ", "XI"], [1, 0.5])], [Pauli("IY")], ["XX"]]  # (3, 1)
    pub = (circuit, observables, values)
    expected = StatevectorEstimator().run([pub]).result()[0].data.evs
    estimator = EstimatorV2(aer_client, experiment="primitives-test")
    job = estimator.run([pub], precision=0)
    assert isinstance(job, BasePrimitiveJob)
    result = job.result()
    assert isinstance(result, PrimitiveResult) and job.status() is JobStatus.DONE
    assert job.done() and job.in_final_state() and not job.running()
    data = result[0].data
    assert data.evs.shape == data.stds.shape == (3, 4) == expected.shape
    assert np.allclose(data.evs, expected, atol=1e-10) and np.all(data.stds == 0)
    # the call is a qdispatch job: persisted, readable by id, 12 distinct sets × 3 observables
    stored = aer_client.job(job.job_id()).result()
    assert stored.expectation_values.shape == (1, 3, 12)
    assert result[0].metadata["qdispatch"]["job_id"] == job.job_id()
    assert result[0].metadata["target_precision"] == 0


def test_sampled_estimation_takes_its_shots_from_the_precision(aer_client):
    circuit = two_parameter_circuit()
    values = np.random.default_rng(8).uniform(-math.pi, math.pi, size=(4, 3))
    observables = [["ZZ"], ["IX"]]  # (2, 1) against (4,): shape (2, 4)
    expected = StatevectorEstimator().run([(circuit, observables, values)]).result()[0].data.evs
    estimator = EstimatorV2(aer_client, options={"seed_simulator": 3})
    result = estimator.run([(circuit, observables, values, 0.02)]).result()[0]
    assert result.metadata["shots"] == math.ceil(1 / 0.02**2) == 2500
    assert result.data.evs.shape == (2, 4)
    assert np.all(result.data.stds > 0) and np.all(result.data.stds < 0.03)
    assert np.all(np.abs(result.data.evs - expected) <= 5 * result.data.stds)


def test_pubs_with_different_precisions_run_as_one_job_each(aer_client):
    circuit = two_parameter_circuit()
    estimator = EstimatorV2(aer_client)
    job = estimator.run(
        [(circuit, "ZZ", [0.1, 0.2, 0.3], 0), (circuit, "ZZ", [0.1, 0.2, 0.3], 0.05)]
    )
    result = job.result()
    assert len(job.job_ids) == 2 and job.job_id() == ",".join(job.job_ids)
    exact, sampled = result[0].data.evs, result[1].data.evs
    assert exact.shape == sampled.shape == ()
    assert abs(float(exact) - float(sampled)) <= 5 * float(result[1].data.stds)


def test_qiskits_validation_applies(aer_client):
    estimator = EstimatorV2(aer_client)
    circuit = two_parameter_circuit()
    with pytest.raises(ValueError, match="precision must be non-negative"):
        estimator.run([(circuit, "ZZ", [0.1, 0.2, 0.3])], precision=-0.1)
    with pytest.raises(ValueError, match="number of qubits"):
        estimator.run([(circuit, "ZZZ", [0.1, 0.2, 0.3])])
    with pytest.raises(ValueError, match="broadcast"):
        estimator.run([(circuit, ["ZZ", "XX", "YY"], np.zeros((2, 3)))])
    with pytest.raises(ValueError, match="inconsistent with last dimension"):
        estimator.run([(circuit, "ZZ", [0.1, 0.2])])
    exact_elsewhere = EstimatorV2(aer_client, "braket_local_dm")
    with pytest.raises(ValueError, match="cannot compute"):
        exact_elsewhere.run([(circuit, "ZZ", [0.1, 0.2, 0.3])], precision=0)
    sampler = SamplerV2(aer_client)
    with pytest.raises(ValueError, match="shots must be"):
        sampler.run([(circuit,)], shots=0)


def test_sampler_bit_arrays_match_the_jobs_counts(aer_client):
    theta = Parameter("theta")
    circuit = QuantumCircuit(2)
    circuit.ry(theta, 0)
    circuit.cx(0, 1)
    circuit.measure_all()
    angles = np.linspace(0, math.pi, 6).reshape(2, 3, 1)
    sampler = SamplerV2(aer_client, options={"seed_simulator": 9})
    job = sampler.run([(circuit, angles)], shots=300)
    result = job.result()[0]
    bits = result.data.meas
    assert bits.shape == (2, 3) and bits.num_shots == 300 and bits.num_bits == 2
    stored = aer_client.job(job.job_id()).result()
    for flat, index in enumerate(np.ndindex(2, 3)):
        assert bits.get_counts(index) == stored.counts(0, flat)
    assert bits.get_counts((0, 0)) == {"00": 300} and bits.get_counts((1, 2)) == {"11": 300}
    assert result.metadata["shots"] == 300


def test_sampler_keeps_registers_apart_and_correlated(aer_client):
    qubits = QuantumRegister(3, "q")
    alpha, beta = ClassicalRegister(1, "alpha"), ClassicalRegister(2, "beta")
    circuit = QuantumCircuit(qubits, alpha, beta)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.x(2)
    circuit.measure(0, alpha[0])
    circuit.measure(1, beta[0])
    circuit.measure(2, beta[1])
    result = SamplerV2(aer_client).run([circuit], shots=500).result()[0]
    a = result.data.alpha.get_bitstrings()
    b = result.data.beta.get_bitstrings()
    assert len(a) == len(b) == 500
    assert all(y == "1" + x for x, y in zip(a, b, strict=True))  # beta = (q2=1, q1=q0)
    assert set(a) == {"0", "1"}


def test_an_estimator_drives_a_vqe_loop_to_the_ground_energy(aer_client):
    exact = float(np.linalg.eigvalsh(H2.to_matrix()).min())
    assert exact == pytest.approx(-1.857275030202, abs=1e-9)
    ansatz = real_amplitudes(2, reps=1)
    estimator = EstimatorV2(aer_client, default_precision=0, experiment="vqe")
    job_ids = []

    def energy(x: np.ndarray) -> float:
        job = estimator.run([(ansatz, H2, x)])
        job_ids.append(job.job_id())
        return float(job.result()[0].data.evs)

    found = minimize(
        energy,
        np.full(ansatz.num_parameters, 0.1),
        method="COBYLA",
        options={"maxiter": 300, "rhobeg": 0.5},
    )
    assert found.fun == pytest.approx(exact, abs=1e-6)
    assert len(set(job_ids)) == len(job_ids) == found.nfev  # every call a job of its own
    experiment = next(e for e in aer_client.experiments() if e.name == "vqe")
    assert len(aer_client.jobs(experiment_id=experiment.id, limit=1000)) == len(job_ids)


def test_sampler_samples_an_unparameterised_circuit_once_per_position(aer_client):
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    result = SamplerV2(aer_client).run([(bell, np.zeros((3, 0)))], shots=200).result()[0]
    assert result.data.meas.shape == (3,)
    for k in range(3):
        counts = result.data.meas.get_counts(k)
        assert sum(counts.values()) == 200 and set(counts) <= {"00", "11"}
