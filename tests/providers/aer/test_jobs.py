"""The local job protocol: ids, progress, waiting, cancelling, failures, closing."""

from __future__ import annotations

import time

import pytest

from qdispatch_aer import AerBackend
from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import ProviderError
from tests.contract.backend_contract import drive, make_spec
from tests.samples import BELL_QASM2

S = JobStatus

# About 10 ms per Aer call: long enough that a job of many batches is still running when the
# test acts on it, short enough to keep the suite fast.
SLOW = (
    """OPENQASM 2.0;
include "qelib1.inc";
qreg q[14];
creg c[14];
"""
    + "".join(f"h q[{i}];\nrz(0.3) q[{i}];\ncx q[{i}], q[{(i + 1) % 14}];\n" for i in range(14))
    + ("measure q -> c;\n")
)


def start(backend, spec):
    device = backend.get_device(spec.device_id)
    return device, backend.submit(device, spec, {})


@pytest.fixture
def backend():
    b = AerBackend(workers=1)
    yield b
    b.close()


def test_ids_are_aer_uuids_and_unknown_ones_are_errors(backend, qiskit_toolkit):
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], "aer_simulator", shots=10)
    ids, state, _ = drive(backend, spec, {})
    assert len(ids) == 1 and ids[0].startswith("aer-") and len(ids[0]) == len("aer-") + 36
    device = backend.get_device("aer_simulator")
    with pytest.raises(ProviderError, match="only in the process"):
        backend.poll(device, ["aer-00000000-0000-0000-0000-000000000000"], {})
    other = AerBackend()  # another process's backend stands in: it never saw this id
    with pytest.raises(ProviderError):
        other.wait(device, ids, {}, 0.01)
    other.close()


def test_progress_counts_executables_and_wait_blocks_until_done(backend, qiskit_toolkit):
    spec = make_spec(qiskit_toolkit, [SLOW] * 30, "aer_simulator", shots=2000)
    device, ids = start(backend, spec)
    began = time.monotonic()
    early = backend.wait(device, ids, {}, 0.001)
    assert time.monotonic() - began < 5  # returned at its timeout, not at the job's end
    assert early.status in (S.QUEUED, S.RUNNING) and early.done < 30
    seen = set()
    while not (state := backend.wait(device, ids, {}, 0.02)).status.is_final:
        seen.add(state.done)
    assert state.status is S.DONE and state.done == 30
    assert len(seen) > 1  # progress moved while the job ran
    outputs = backend.fetch(device, spec, ids, {}).outputs
    assert len(outputs) == 30 and all(sum(c.values()) == 2000 for c in outputs)


def test_cancel_stops_between_batches(backend, qiskit_toolkit):
    spec = make_spec(qiskit_toolkit, [SLOW] * 40, "aer_simulator", shots=2000)
    device, ids = start(backend, spec)
    backend.cancel(device, ids, {})
    state = backend.wait(device, ids, {}, 10)
    assert state.status is S.CANCELLED and state.done < 40
    with pytest.raises(ProviderError, match="no results"):
        backend.fetch(device, spec, ids, {})


def test_a_queued_job_cancelled_never_starts(backend, qiskit_toolkit):
    busy = make_spec(qiskit_toolkit, [SLOW] * 20, "aer_simulator", shots=2000)
    waiting = make_spec(qiskit_toolkit, [BELL_QASM2], "aer_simulator", shots=10)
    device, busy_ids = start(backend, busy)
    _, waiting_ids = start(backend, waiting)  # one worker: this one queues behind
    assert backend.poll(device, waiting_ids, {}).status is S.QUEUED
    backend.cancel(device, waiting_ids, {})
    state = backend.poll(device, waiting_ids, {})
    assert state.status is S.CANCELLED and state.done == 0
    assert backend.wait(device, busy_ids, {}, 30).status is S.DONE


def test_a_simulation_failure_ends_the_job_in_error(backend, qiskit_toolkit):
    non_clifford = BELL_QASM2.replace("h q[0];", "h q[0];\nt q[0];")
    spec = make_spec(
        qiskit_toolkit, [non_clifford], "aer_simulator", shots=10, options={"method": "stabilizer"}
    )
    _, state, execution = drive(backend, spec, {})
    assert state.status is S.ERROR and execution is None
    assert state.message.startswith("Aer simulation failed") and "stabilizer" in state.message


def test_many_small_jobs_run_concurrently_and_correctly(qiskit_toolkit):
    backend = AerBackend(workers=2)
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], "aer_simulator", shots=64)
    device = backend.get_device("aer_simulator")
    ids = [backend.submit(device, spec, {}) for _ in range(40)]
    for job_ids in ids:
        assert backend.wait(device, job_ids, {}, 30).status is S.DONE
        (counts,) = backend.fetch(device, spec, job_ids, {}).outputs
        assert set(counts) <= {"00", "11"} and sum(counts.values()) == 64
    backend.close()


def test_close_cancels_what_has_not_started(qiskit_toolkit):
    backend = AerBackend(workers=1)
    device, busy = start(backend, make_spec(qiskit_toolkit, [SLOW] * 10, "aer_simulator"))
    _, queued = start(backend, make_spec(qiskit_toolkit, [BELL_QASM2], "aer_simulator"))
    backend.close()
    assert backend.poll(device, queued, {}).status is S.CANCELLED
    assert backend.wait(device, busy, {}, 30).status in (S.CANCELLED, S.DONE)
