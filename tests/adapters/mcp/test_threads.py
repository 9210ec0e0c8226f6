"""The tools' blocking calls run on threads that never exit (qdispatch_mcp/threads.py).

Why: a thread that read OpenQASM 3 with Qiskit and then exited made later Qiskit work in another
thread die of SIGSEGV (transpiling: 5 runs of 8; importing Qiskit Aer: 4 of 8; reading another
circuit: 3 of 8; on this 2-core machine). `CRASH_PATTERN` below is that reproducer; run with
"exiting" it shows the crash, with "lasting" (the server's way) it must not."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import anyio
import pytest

from qdispatch_mcp.threads import LastingThreads

pytestmark = pytest.mark.anyio

CRASH_PATTERN = textwrap.dedent(
    """
    import asyncio, faulthandler, sys, threading
    faulthandler.enable()
    from qdispatch_mcp.threads import LastingThreads
    from qdispatch_qiskit import QiskitToolkit

    READ = 'OPENQASM 3.0;\\ninclude "stdgates.inc";\\ninput float theta;\\nqubit[1] q;\\n' \\
        'bit[1] c;\\nry(theta) q[0];\\nc = measure q;\\n'

    def transpile():
        from qiskit import transpile
        from qiskit.circuit.library import efficient_su2
        circuit = efficient_su2(5, reps=3).decompose()
        circuit.measure_all()
        for _ in range(5):
            transpile(circuit, basis_gates=["cx", "rz", "sx", "x"], optimization_level=2)

    toolkit = QiskitToolkit()
    if sys.argv[1] == "exiting":
        reader = threading.Thread(target=toolkit.inspect, args=(READ,))
        reader.start()
        reader.join()
        worker = threading.Thread(target=transpile)
        worker.start()
        worker.join()
    else:
        pool = LastingThreads(size=2)
        async def main():
            await pool.run(toolkit.inspect, READ)
            await asyncio.gather(pool.run(transpile), pool.run(transpile))
        asyncio.run(main())
    print("survived")
    """
)


async def test_calls_return_results_and_raise_their_errors():
    pool = LastingThreads(size=3)
    assert await pool.run(lambda a, b: a + b, 2, 3) == 5
    with pytest.raises(ValueError, match="boom"):
        await pool.run(_raise, ValueError("boom"))


def _raise(exc: BaseException) -> None:
    raise exc


async def test_threads_stay_and_are_reused_never_more_than_the_size():
    pool = LastingThreads(size=2, name="test-lasting")
    first = await pool.run(threading.current_thread)
    again = await pool.run(threading.current_thread)
    assert again is first  # an idle thread is reused, not replaced
    release = threading.Event()
    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(pool.run, release.wait, 10)
        await anyio.sleep(0.2)
        assert pool.threads == 2  # five calls, two threads: the rest wait their turn
        release.set()
    assert first.is_alive() and first.daemon  # never exits; never holds the process up


async def test_a_cancelled_caller_abandons_its_call_and_the_thread_goes_on():
    pool = LastingThreads(size=1)
    release = threading.Event()
    with anyio.move_on_after(0.2):
        await pool.run(release.wait, 10)
    release.set()
    assert await pool.run(lambda: "next") == "next"


@pytest.mark.slow
def test_qiskit_work_after_a_read_on_lasting_threads_does_not_crash(tmp_path):
    # Four runs: with exiting threads, about two of them died (5 of 8 for this pattern).
    for _ in range(4):
        done = subprocess.run(
            [sys.executable, "-c", CRASH_PATTERN, "lasting"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0 and "survived" in done.stdout, done.stderr[-3000:]
