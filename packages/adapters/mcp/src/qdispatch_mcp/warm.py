"""Warm start: what the first submission needs is imported in the background as the server
starts, so the first `run_circuits_on_qpu_or_simulator` returns at once (issue 18 measured up
to 12.6 s when Qiskit was imported on the first circuit).

A thread reads a tiny OpenQASM 2 and 3 circuit (importing Qiskit and both parsers) before any
request may use the toolkit, and resolves the default simulator (importing its provider
package; the vendor SDK is the worker's to import, when a job runs). It does not delay
`initialize`: the lifespan only starts it. Nothing else is imported ahead of need: a submission
to another device imports that device's provider itself and never waits for this thread
(Python's import locks are per module); only a request that needs the circuit toolkit while the
warm-up is loading it waits for it (see `LazyQiskitToolkit.prepare`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from qdispatch import App
from qdispatch.bootstrap import LazyQiskitToolkit
from qdispatch_core.errors import QDispatchError
from qdispatch_mcp.threads import CALLS

log = logging.getLogger("qdispatch_mcp.warm")

# The device agents are pointed at first (the tools' descriptions say "prefer aer_simulator").
WARM_DEVICE = "aer_simulator"
QASM2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\ncreg c[1];\nh q[0];\nmeasure q -> c;\n'
QASM3 = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float theta;\nqubit[1] q;\nbit[1] c;\n'
    "ry(theta) q[0];\nc = measure q;\n"
)


def warm_up(app: App) -> None:
    """Import and exercise the first submission's path. A failure is logged, never raised (the
    submission itself then says what is wrong)."""
    started = time.monotonic()
    toolkit = app.services.circuits
    try:
        if isinstance(toolkit, LazyQiskitToolkit):
            toolkit.prepare(QASM2, QASM3)
        backend, device = app.services.backends.resolve(WARM_DEVICE)
        backend.estimates_observables(device, False)
    except QDispatchError as err:  # e.g. a server without the Aer provider: nothing to warm
        log.info("not warming up %s: %s", WARM_DEVICE, err.message)
    except Exception:
        log.warning("warming up for the first submission failed", exc_info=True)
    else:
        log.info("ready for the first submission in %.1f s", time.monotonic() - started)


def start_warming(app: App, then: Callable[[], object] | None = None) -> threading.Event:
    """Start the warm-up on one of the tools' threads, which never exit (threads.py: a thread
    that read OpenQASM 3 and then exited made later Qiskit work die of SIGSEGV), and call
    `then` when it is over, however it went; the event is set after that."""
    done = threading.Event()

    def warm() -> None:
        try:
            warm_up(app)
        finally:
            try:
                if then is not None:
                    then()
            finally:
                done.set()

    CALLS.start(warm)
    return done
