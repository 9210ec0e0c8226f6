"""Braket's local simulators run shards: each shard's tasks cover exactly its executables, and
the finishing step reads (and, on the noisy simulator, corrects) the whole job's readings."""

from __future__ import annotations

import pytest

from qdispatch_core.domain import JobStatus, RunType, Shard
from qdispatch_core.errors import ProviderError
from tests.contract.backend_contract import make_spec, run_local
from tests.samples import BELL_QASM2, PARAM_2Q

SETS = [[0.01 * k, 0.02 * k] for k in range(12)]


class CountingSimulator:
    def __init__(self, real, tasks):
        self.real, self.tasks = real, tasks

    def run(self, specification, *args, **kwargs):
        self.tasks.append(specification)
        return self.real.run(specification, *args, **kwargs)


def test_a_shard_runs_only_its_executables(braket, qiskit_toolkit, monkeypatch):
    tasks = []
    real = braket.local._simulator
    monkeypatch.setattr(braket.local, "_simulator", lambda d: CountingSimulator(real(d), tasks))
    device = braket.get_device("braket_local_sv")
    spec = make_spec(qiskit_toolkit, [PARAM_2Q], device.id, parameters=SETS, shots=20)
    result = braket.run_shard(device, spec, Shard(1, 5, 4), {})
    assert len(result.outputs) == 4
    assert all(sum(o["counts"].values()) == 20 for o in result.outputs)
    assert len(tasks) == 1  # one program set holds the shard's four parameter sets


@pytest.mark.parametrize("size", [1, 5])
def test_exact_shards_stitch_to_the_whole_job(braket, qiskit_toolkit, size):
    spec = make_spec(
        qiskit_toolkit, [PARAM_2Q], "braket_local_sv", parameters=SETS, run_type=RunType.STATEVECTOR
    )
    _, state, whole = run_local(braket, spec, {})
    assert state.status is JobStatus.DONE
    _, _, pieces = run_local(braket, spec, {}, size=size)
    assert pieces.outputs == whole.outputs  # exact: independent of how the job was cut


def test_mitigation_on_the_noisy_simulator_uses_one_calibration_for_every_shard(
    braket, qiskit_toolkit
):
    spec = make_spec(
        qiskit_toolkit,
        [BELL_QASM2],
        "braket_local_dm",
        shots=2000,
        use_mitigation=True,
        options={"readout_error": 0.1},
    )
    _, state, execution = run_local(braket, spec, {})
    assert state.status is JobStatus.DONE, state.message
    assert execution.mitigation["applied"] and execution.raw_outputs is not None
    (quasi,) = execution.outputs
    assert abs(sum(quasi.values()) - 1) < 1e-6
    assert quasi.get("00", 0) + quasi.get("11", 0) > 0.95  # the readout error corrected away


def test_a_local_device_has_no_provider_jobs(braket):
    with pytest.raises(ProviderError, match="shards"):
        braket.poll(braket.get_device("braket_local_dm"), ["braket-local-gone"], {})
