"""Aer's local path: shards of a job, failures as the job's message, the MPS bond bound, and no
asynchronous protocol for a device that only runs shards."""

from __future__ import annotations

import pytest

from qdispatch_aer import AerBackend
from qdispatch_aer.settings import PARALLEL_QUBITS
from qdispatch_core.domain import JobStatus, Shard
from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.backend_settings import BackendSettings
from tests.contract.backend_contract import make_spec, run_local
from tests.samples import BELL_QASM2, PARAM_2Q, ghz

S = JobStatus


def test_a_shard_returns_the_outputs_of_exactly_its_executables(aer, qiskit_toolkit):
    sets = [[0.1 * k, 0.2] for k in range(7)]
    spec = make_spec(
        qiskit_toolkit, [BELL_QASM2, PARAM_2Q], "aer_simulator", shots=50, parameters=[[], sets]
    )
    device = aer.get_device("aer_simulator")
    # Executables: the Bell circuit, then the 7 sets; this shard spans both batches.
    result = aer.run_shard(device, spec, Shard(0, 0, 4), {})
    assert len(result.outputs) == 4 and all(sum(c.values()) == 50 for c in result.outputs)
    assert set(result.outputs[0]) <= {"00", "11"}
    assert result.notes and result.notes[0].startswith("Aer simulated with method(s)")
    last = aer.run_shard(device, spec, Shard(1, 4, 4), {})
    assert len(last.outputs) == 4


def test_a_device_that_runs_shards_has_no_provider_jobs(aer, qiskit_toolkit):
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], "aer_simulator", shots=10)
    device = aer.get_device("aer_simulator")
    with pytest.raises(ProviderError, match="shards"):
        aer.submit(device, spec, {})
    with pytest.raises(ProviderError, match="shards"):
        aer.poll(device, ["aer-00000000-0000-0000-0000-000000000000"], {})


def test_a_simulation_failure_ends_the_job_in_error(aer, qiskit_toolkit):
    non_clifford = BELL_QASM2.replace("h q[0];", "h q[0];\nt q[0];")
    spec = make_spec(
        qiskit_toolkit, [non_clifford], "aer_simulator", shots=10, options={"method": "stabilizer"}
    )
    _, state, execution = run_local(aer, spec, {})
    assert state.status is S.ERROR and execution is None
    assert state.message.startswith("Aer simulation failed") and "stabilizer" in state.message


def test_shards_are_sized_from_the_plan(aer, qiskit_toolkit):
    device = aer.get_device("aer_simulator")
    light = make_spec(qiskit_toolkit, [BELL_QASM2], "aer_simulator", shots=10)
    heavy = make_spec(qiskit_toolkit, [BELL_QASM2], "aer_simulator", shots=100_000)
    exact = make_spec(qiskit_toolkit, [PARAM_2Q], "aer_simulator", parameters=[[0.1, 0.2]])
    assert aer.seconds_per_executable(device, heavy) > 100 * aer.seconds_per_executable(
        device, light
    )
    assert 0 < aer.seconds_per_executable(device, exact) < 0.01


def test_matrix_product_state_runs_have_a_bounded_bond_dimension(qiskit_toolkit):
    # A Bell state needs bond dimension 2: bounded at 1 it is truncated to a product state.
    backend = AerBackend(max_bond_dimension=1)
    spec = make_spec(
        qiskit_toolkit,
        [BELL_QASM2],
        "aer_simulator_mps",
        shots=400,
        options={"seed_simulator": 5},
    )
    _, state, execution = run_local(backend, spec, {})
    assert state.status is S.DONE
    ((counts,),) = [execution.outputs]
    assert counts in ({"00": 400}, {"11": 400})  # no longer the entangled 50/50
    assert any("bond dimension bounded at 1" in note for note in execution.notes)
    # The default bound (256) leaves a Bell state alone.
    _, _, exact = run_local(AerBackend(), spec, {})
    assert set(exact.outputs[0]) == {"00", "11"}
    assert any("bounded at 256" in note for note in exact.notes)


def test_the_bond_bound_comes_from_the_settings_not_the_environment(monkeypatch):
    monkeypatch.setenv("QDISPATCH_MPS_MAX_BOND_DIMENSION", "zero")  # providers never read it
    assert AerBackend(settings=BackendSettings(mps_max_bond_dimension=64)).max_bond_dimension == 64
    assert AerBackend().max_bond_dimension == 256
    with pytest.raises(ValueError, match="mps_max_bond_dimension"):
        BackendSettings(mps_max_bond_dimension=0)


def test_small_simulations_use_their_share_of_the_cores_big_ones_every_core(qiskit_toolkit):
    """Simulation processes run side by side: a small simulation (narrower than Aer's
    parallel-gate width) gets the share the settings give it, so the processes' thread pools
    do not spin against each other (issue 15); a wide one keeps Aer's default (every core);
    a job's own max_parallel_threads wins either way."""
    backend = AerBackend(settings=BackendSettings(small_simulation_threads=1))
    device = backend.get_device("aer_simulator")

    def threads(qasm: str, **options) -> int | None:
        spec = make_spec(qiskit_toolkit, [qasm], "aer_simulator", options=options)
        return backend._settings(device, spec).max_parallel_threads

    assert threads(BELL_QASM2) == 1
    assert threads(ghz(PARALLEL_QUBITS - 1)) == 1
    assert threads(ghz(PARALLEL_QUBITS)) is None
    assert threads(BELL_QASM2, max_parallel_threads=2) == 2
    unbounded = AerBackend(settings=BackendSettings())
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], "aer_simulator")
    assert unbounded._settings(device, spec).max_parallel_threads is None
    # The simulator that runs the job is built with it, and the counts are a Bell state's.
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], "aer_simulator", options={"seed_simulator": 3})
    _, state, execution = run_local(backend, spec, {})
    assert state.status is S.DONE and set(execution.outputs[0]) == {"00", "11"}
    simulator = backend.engine.simulators.get(backend._settings(device, spec))
    assert simulator.aer.options.max_parallel_threads == 1
    with pytest.raises(ValueError, match="small_simulation_threads"):
        BackendSettings(small_simulation_threads=-1)
