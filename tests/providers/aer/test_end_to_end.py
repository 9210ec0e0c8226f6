"""The run use case through the core with the Aer backend and the Qiskit toolkit: submit,
let a worker run the job, read nested results (run contract §5)."""

from __future__ import annotations

import math

import pytest

from qdispatch_aer import AerBackend
from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import BadRequest
from qdispatch_core.registry import BackendRegistry
from qdispatch_core.testing import FakeCipher, InMemoryRepository
from qdispatch_core.usecases import Services, create_experiment, ensure_user, submit_run
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_qiskit import QiskitToolkit
from tests.conftest import run_all
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, BELL_QASM3, PARAM_2Q, X_ON_QUBIT0_OF_3

# Three observables on PARAM_2Q (rx(θ) on qubit 0, ry(φ) on qubit 1, then CNOT 0 -> 1):
# ⟨ZZ⟩ = cos φ, ⟨ZI⟩ = cos θ cos φ (qubit 1 carries the parity), ⟨IZ⟩ = cos θ.
OBSERVABLES = [[["ZZ"], [1.0]], [["ZI", "IZ"], [1.0, 0.5]], [["XX", "YY"], [0.3, -0.7]]]
SETS = [[0.0, 0.0], [math.pi / 3, 0.4], [math.pi, math.pi / 2], [-1.2, 2.5]]


class World:
    def __init__(self, backend: AerBackend | None = None) -> None:
        registry = BackendRegistry(use_entry_points=False)
        self.backend = backend or AerBackend()
        registry.add(self.backend)
        self.services = Services(InMemoryRepository(), registry, QiskitToolkit(), FakeCipher())
        self.user = ensure_user(self.services, "alice", 100)
        self.experiment = create_experiment(self.services, self.user, "aer")
        self.runner = JobRunner(self.services, WorkerConfig("aer-worker"))

    def run(self, **request):
        payload = {"experiment_id": self.experiment.id, "device_id": "aer_simulator"} | request
        job_id = submit_run(self.services, self.user, payload).job_id
        run_all(self.runner)
        with self.services.repository.begin() as uow:
            return uow.jobs.get(self.user.id, job_id)


@pytest.fixture(scope="module")
def world():
    w = World()
    yield w
    w.backend.close()


def done(job):
    assert job.status is JobStatus.DONE, job.error
    return job


def test_two_qasm_circuits(world):
    job = done(world.run(circuits_qasm=[BELL_QASM2, X_ON_QUBIT0_OF_3], shots=500))
    bell, x = job.results
    assert set(bell) == {"00", "11"} and sum(bell.values()) == 500
    assert x == {"001": 500}
    assert job.uncertainties is None
    assert job.progress.done == job.progress.total == 2
    assert job.cost.to_dict() == {
        "native": {"amount": 1000.0, "unit": "shots"},
        "converted": {"amount": 0.0, "unit": "USD"},
    }
    assert any("Aer simulated with method(s)" in line for line in job.logs)


def test_one_circuit_five_parameter_sets(world):
    sets = [[0.0, 0.0], [math.pi, 0.0], [0.0, math.pi], [math.pi, math.pi], [0.0, 0.0]]
    job = done(world.run(circuits_qasm=[PARAM_2Q], parameters=sets, shots=100))
    (per_set,) = job.results
    # (phi, theta): ry(phi) on qubit 1, rx(theta) on qubit 0, then CNOT 0 -> 1
    assert per_set == [{"00": 100}, {"10": 100}, {"11": 100}, {"01": 100}, {"00": 100}]


def _shape(nested):
    return [len(nested)] + ([len(nested[0])] if isinstance(nested[0], list) else [])


def test_one_circuit_three_observables_four_parameter_sets_both_run_types(world):
    shots = 4000
    sampled = done(
        world.run(
            circuits_qasm=[PARAM_2Q],
            parameters=SETS,
            observables=OBSERVABLES,
            shots=shots,
            options={"seed_simulator": 7},
        )
    )
    exact = done(
        world.run(
            circuits_qasm=[PARAM_2Q],
            parameters=SETS,
            observables=OBSERVABLES,
            run_type="StatevectorRun",
        )
    )
    for job in (sampled, exact):
        (per_observable,) = job.results
        (errors,) = job.uncertainties
        assert len(per_observable) == len(errors) == 3  # circuits -> observables -> sets
        assert all(len(v) == len(e) == 4 for v, e in zip(per_observable, errors, strict=True))
        assert all(isinstance(x, float) for v in per_observable for x in v)
    assert exact.uncertainties == [[[0.0] * 4] * 3]
    assert sampled.uncertainties[0][1][0] == 0.0  # |00>: ZI and IZ are sharp
    assert sampled.uncertainties[0][1][1] > 0.0  # ... and not at SETS[1]
    for o in range(3):
        for p, (phi, theta) in enumerate(SETS):
            value, error = sampled.results[0][o][p], sampled.uncertainties[0][o][p]
            reference = exact.results[0][o][p]
            assert abs(value - reference) <= 5 * error + 2 * 1.0 / shots, (o, p, value, reference)
            analytic = [
                math.cos(phi),
                math.cos(theta) * math.cos(phi) + 0.5 * math.cos(theta),
            ]
            if o < 2:
                assert reference == pytest.approx(analytic[o], abs=1e-12)
    # ZZ, XX+YY are measured in their own groups: {ZZ, ZI, IZ} and {XX}, {YY}
    assert sampled.plan["measurement_groups"] == [3]
    assert sampled.plan["executables"] == 12 and exact.plan["executables"] == 4


def test_statevector_run_of_two_circuits(world):
    job = done(
        world.run(circuits_qasm=[BELL_NO_MEASURE, X_ON_QUBIT0_OF_3], run_type="StatevectorRun")
    )
    (bell_real, bell_imag), (x_real, _) = job.results
    r = 1 / math.sqrt(2)
    assert bell_real == pytest.approx([r, 0, 0, r]) and bell_imag == pytest.approx([0] * 4)
    assert x_real == pytest.approx([0, 1, 0, 0, 0, 0, 0, 0])


def test_stored_circuits_run_before_new_ones_and_qasm3_works(world):
    first = done(world.run(circuits_qasm=[BELL_QASM3], shots=10))
    again = done(
        world.run(circuit_ids=list(first.circuit_ids), circuits_qasm=[X_ON_QUBIT0_OF_3], shots=10)
    )
    assert set(again.results[0]) <= {"00", "11"} and again.results[1] == {"001": 10}


def test_mitigation_is_recorded_as_not_needed(world):
    job = done(world.run(circuits_qasm=[BELL_QASM2], shots=10, use_mitigation=True))
    assert job.mitigation == {"applied": False, "reason": "not needed: noiseless simulator"}


def test_dry_run_transpiles_without_running(world):
    job = world.run(circuits_qasm=[BELL_QASM2], shots=10, dry_run=True)
    assert job.status is JobStatus.DONE and job.results is None
    assert job.plan["circuits"] == [{"index": 0, "transpiled_depth": 3, "transpiled_2q_gates": 1}]
    assert job.provider_job_ids == ()


def test_request_errors_are_400s_before_anything_runs(world):
    with pytest.raises(BadRequest) as err:
        world.run(circuits_qasm=[BELL_QASM2], options={"methd": "statevector"})
    assert err.value.field == "options['methd']" and "method (one of" in err.value.message
    with pytest.raises(BadRequest, match="line 4, column 7"):
        world.run(circuits_qasm=[BELL_QASM2, BELL_NO_MEASURE.replace("h q[0];", "h q[0]")])
    with pytest.raises(BadRequest, match=r"optimization_level.*\[0, 3\]"):
        world.run(circuits_qasm=[BELL_QASM2], options={"optimization_level": 4})


def test_the_worker_checks_memory_with_its_own_limit():
    world = World(AerBackend(memory_limit_bytes=2**20))
    wide = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[16];\nh q[0];\n'
    with pytest.raises(BadRequest, match="needs a state vector of 16·2\\^16 bytes"):
        world.run(circuits_qasm=[wide], run_type="StatevectorRun")
    world.backend.close()


def test_the_entry_point_finds_the_aer_backend():
    registry = BackendRegistry()
    backend, device = registry.resolve("aer_simulator_mps")
    assert isinstance(backend, AerBackend) and device.id == "aer_simulator_mps"
    registry.close()
