"""The pool of simulation processes: warm children, cancel that terminates, a memory limit,
deaths reported, and children that never outlive their worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from qdispatch.simulations import ProcessExecutor, address_space_limit
from qdispatch_core.domain import Shard
from qdispatch_core.errors import ProviderError
from qdispatch_core.ports.executor import LocalBatch, LocalWork
from qdispatch_core.testing import FakeCircuitToolkit
from tests.contract.backend_contract import make_spec
from tests.samples import PARAM_2Q

FAKE = "qdispatch_core.testing.backend:from_environment"
SETS = [[0.01 * i, 0.2] for i in range(400)]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting to be reaped is gone too
        return stat.read().split(")")[-1].split()[0] == "Z"


def wait_gone(pid: int, seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if gone(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def pool():
    executor = ProcessExecutor(
        2,
        memory_bytes=512 * 1024**2,
        environment={"QDISPATCH_EXTRA_BACKENDS": FAKE, "QDISPATCH_FAKE_DELAY": "0.02"},
        preload=("qdispatch_core",),  # the fake backend needs no Qiskit: start fast
    )
    yield executor
    executor.close()


def work(first: int, count: int, job_id: str = "job_pool") -> LocalWork:
    spec = make_spec(
        FakeCircuitToolkit(), [PARAM_2Q], "dummy_simulator", parameters=SETS, job_id=job_id
    )
    return LocalWork("fake", "dummy_simulator", spec, {}, shard=Shard(0, first, count))


def test_a_shard_runs_in_a_child_and_the_child_is_kept_warm(pool):
    first = pool.start(work(0, 5), None)
    result = first.result()
    assert len(result.outputs) == 5 and result.started_at <= result.finished_at
    assert first.pid != os.getpid()
    second = pool.start(work(5, 5), None)
    assert len(second.result().outputs) == 5
    assert second.pid == first.pid and pool.started == 1  # the same warm child


def test_a_batch_runs_in_one_child_and_a_failing_piece_fails_alone(pool):
    """Small jobs go to a child together (issue 15): one outcome per piece, in order; a piece
    that fails carries its error back while the others' results arrive."""
    broken = work(398, 5, job_id="job_broken")  # runs past the sweep's 400 sets: 2 outputs
    batch = LocalBatch((work(0, 3, "job_a"), broken, work(3, 4, "job_c")))
    run = pool.start(batch, None)
    first, failed, last = run.result()
    assert len(first.get().outputs) == 3 and len(last.get().outputs) == 4
    assert isinstance(failed.error, ProviderError)
    with pytest.raises(ProviderError, match="returned 2 outputs for the 5 executables"):
        failed.get()
    assert pool.started == 1  # one child did all three


def test_cancel_terminates_the_child_at_once_and_the_pool_replaces_it(pool):
    run = pool.start(work(0, 400), None)  # 8 s of work
    assert not run.wait(0.3)
    began = time.monotonic()
    run.cancel()
    assert time.monotonic() - began < 5 and wait_gone(run.pid)
    with pytest.raises(ProviderError, match="cancelled"):
        run.result()
    fresh = pool.start(work(0, 2), None)
    assert len(fresh.result().outputs) == 2 and fresh.pid != run.pid


def test_a_child_that_dies_is_reported_and_replaced(pool):
    run = pool.start(work(0, 400), None)
    assert not run.wait(0.3)
    os.kill(run.pid, signal.SIGKILL)
    assert run.wait(10)
    with pytest.raises(ProviderError, match="simulation process died: it was killed by SIGKILL"):
        run.result()
    assert len(pool.start(work(0, 2), None).result().outputs) == 2


def test_a_child_cannot_take_more_memory_than_the_budget(pool):
    run = pool.start(work(0, 2), None)
    run.result()
    with open(f"/proc/{run.pid}/limits") as limits:
        line = next(x for x in limits if x.startswith("Max address space"))
    assert int(line.split()[3]) == address_space_limit(512 * 1024**2)


def test_children_die_with_their_worker(tmp_path):
    """kill -9 of the process that owns the pool: its simulation processes go too, so no
    orphan keeps a core busy."""
    script = tmp_path / "owner.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys, time
            sys.path.insert(0, {os.getcwd()!r})
            from qdispatch.simulations import ProcessExecutor
            from tests.app.test_simulations import work
            pool = ProcessExecutor(
                1,
                environment={{"QDISPATCH_EXTRA_BACKENDS": {FAKE!r},
                              "QDISPATCH_FAKE_DELAY": "0.05"}},
                preload=("qdispatch_core",),
            )
            run = pool.start(work(0, 400), None)
            print(run.pid, flush=True)
            time.sleep(600)
            """
        )
    )
    owner = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        child = int(owner.stdout.readline())
        assert not gone(child)
        owner.send_signal(signal.SIGKILL)
        owner.wait(10)
        assert wait_gone(child, 15), "the simulation process outlived its worker"
    finally:
        owner.kill()
        owner.wait(10)


def test_a_script_without_a_main_guard_does_not_run_again_in_the_children(tmp_path):
    """A user's script that uses the pool at top level (no `if __name__ == "__main__":`) runs
    once: simulation processes never import the parent's main module."""
    runs = tmp_path / "runs.txt"
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {os.getcwd()!r})
            with open({str(runs)!r}, "a") as f:
                f.write("ran\\n")
            from qdispatch.simulations import ProcessExecutor
            from tests.app.test_simulations import work
            pool = ProcessExecutor(1, environment={{"QDISPATCH_EXTRA_BACKENDS": {FAKE!r}}},
                                   preload=("qdispatch_core",))
            print(len(pool.start(work(0, 3), None).result().outputs))
            pool.close()
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3" and runs.read_text() == "ran\n"


def test_a_worker_under_a_lower_address_space_limit_keeps_it_for_its_children(tmp_path):
    """A limit can only go down: under a worker already capped lower than the budget, the
    children keep the worker's cap instead of failing to start."""
    script = tmp_path / "capped.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import resource, sys
            sys.path.insert(0, {os.getcwd()!r})
            cap = 6 * 1024**3
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
            from qdispatch.simulations import ProcessExecutor
            from tests.app.test_simulations import work
            pool = ProcessExecutor(1, memory_bytes=8 * 1024**3,
                                   environment={{"QDISPATCH_EXTRA_BACKENDS": {FAKE!r}}},
                                   preload=("qdispatch_core",))
            run = pool.start(work(0, 3), None)
            print(len(run.result().outputs))
            with open(f"/proc/{{run.pid}}/limits") as limits:
                line = next(x for x in limits if x.startswith("Max address space"))
            print(line.split()[3])
            pool.close()
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    outputs, limit = done.stdout.split()
    assert outputs == "3" and int(limit) == 6 * 1024**3
