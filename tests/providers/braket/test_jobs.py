"""Local jobs: a thread pool in the worker's process, cancellable between tasks."""

from __future__ import annotations

import pytest

from qdispatch_braket import BraketBackend
from qdispatch_core.domain import JobStatus, RunType
from qdispatch_core.errors import ProviderError
from tests.contract.backend_contract import make_spec
from tests.samples import BELL_QASM2, PARAM_2Q

SETS = [[0.01 * k, 0.02 * k] for k in range(200)]


class CancellingSimulator:
    """The real simulator, whose first run also asks for the job to be cancelled: the
    cancellation then lands while the job is running, deterministically."""

    def __init__(self, real, cancel):
        self.real, self.cancel, self.runs = real, cancel, 0

    def run(self, *args, **kwargs):
        self.runs += 1
        if self.runs == 1:
            self.cancel()
        return self.real.run(*args, **kwargs)


def test_a_queued_job_never_starts_and_a_running_one_stops_between_tasks(
    qiskit_toolkit, monkeypatch
):
    backend = BraketBackend(workers=1)
    device = backend.get_device("braket_local_sv")
    # exact runs: one zero-shot task per parameter set, so there are tasks to stop between
    long = make_spec(
        qiskit_toolkit,
        [PARAM_2Q],
        "braket_local_sv",
        parameters=SETS,
        run_type=RunType.STATEVECTOR,
    )
    short = make_spec(qiskit_toolkit, [BELL_QASM2], "braket_local_sv", shots=10)
    ids = []
    real = backend.local._simulator
    monkeypatch.setattr(
        backend.local,
        "_simulator",
        lambda d: CancellingSimulator(real(d), lambda: backend.cancel(device, ids, {})),
    )
    try:
        ids += backend.submit(device, long, {})
        (queued,) = backend.submit(device, short, {})  # one worker thread: it waits
        backend.cancel(device, [queued], {})
        assert backend.poll(device, [queued], {}).status is JobStatus.CANCELLED
        state = backend.wait(device, ids, {}, timeout=60)
        assert state.status is JobStatus.CANCELLED
        assert state.message == f"cancelled after 1 of {len(SETS)} tasks" and state.done == 1
        with pytest.raises(ProviderError, match="has no results"):
            backend.fetch(device, long, ids, {})
    finally:
        backend.close()


def test_progress_counts_executables(qiskit_toolkit):
    backend = BraketBackend()
    device = backend.get_device("braket_local_sv")
    spec = make_spec(qiskit_toolkit, [PARAM_2Q], "braket_local_sv", parameters=SETS[:5], shots=10)
    try:
        (job_id,) = backend.submit(device, spec, {})
        state = backend.wait(device, [job_id], {}, timeout=60)
        assert (state.status, state.done) == (JobStatus.DONE, 5)
    finally:
        backend.close()


def test_local_ids_do_not_outlive_their_process(braket):
    with pytest.raises(ProviderError, match="exist only in the process that ran them"):
        braket.poll(braket.get_device("braket_local_dm"), ["braket-local-gone"], {})
