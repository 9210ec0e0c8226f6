"""Two users and a hostile corpus, concurrently, through the real use cases: the H5 reproducer.

Run as a script in a child process (so a segfault is seen as a negative return code):

    python tests/security/hostile_corpus.py <home> <seconds> [threads] [--no-bombs] [--debug]

(--no-bombs leaves out the memory bombs, to run it against code without the limits; --debug
logs everything at DEBUG, to /dev/null, as the review's server did when it crashed most.)

It wires the real default (SQLite, Aer, the Qiskit toolkit, the in-process worker with its
caches), then several threads submit, for about `seconds`, a mix of ordinary circuits (runs,
dry runs whose `prepare` reads the cached transpiled circuits, parameter sweeps, observables)
and hostile ones (the CR look-alike, includes of server files, >64-bit registers that panic
Qiskit's parser, huge registers and loops, nested-gate bombs) — the same sources over and over,
so every cache is hit from several threads at once. It prints one JSON line: how many requests
of each kind were answered, every wrong result it saw (an ordinary circuit whose counts are
not what it must give), and every unexpected error. faulthandler prints the threads' stacks if
the process dies of a signal.
"""

from __future__ import annotations

import faulthandler
import itertools
import json
import logging
import os
import resource
import sys
import threading
import time
from collections import Counter
from pathlib import Path

GIB = 1024**3
SHOTS = 64
RUNS = 400  # jobs that execute; beyond them, only dry runs and refusals (the worker keeps up)

X_MEASURED = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[1];
creg c[1];
// note
x q[0];
measure q[0] -> c[0];
"""
# The same text but for one character: \r instead of \n after the comment. A parser that
# does not treat \r as a line break reads the x as part of the comment.
LOOK_ALIKE = X_MEASURED.replace("// note\n", "// note\r")

BELL3 = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
h q[0];
cx q[0], q[1];
c = measure q;
"""

SWEEP3 = """OPENQASM 3.0;
include "stdgates.inc";
input float theta;
qubit[3] q;
bit[3] c;
ry(theta) q[0];
cx q[0], q[1];
cx q[1], q[2];
c = measure q;
"""


def nested(depth: int, version: int) -> str:
    """`depth` gate definitions, each calling the previous one twice: 2^depth operations."""
    head = (
        ["OPENQASM 2.0;", 'include "qelib1.inc";', "qreg q[1];", "creg c[1];"]
        if version == 2
        else ["OPENQASM 3.0;", 'include "stdgates.inc";', "qubit[1] q;", "bit[1] c;"]
    )
    gates = ["gate g0 a { x a; x a; }"]
    gates += [f"gate g{k} a {{ g{k - 1} a; g{k - 1} a; }}" for k in range(1, depth)]
    measure = "measure q -> c;" if version == 2 else "c = measure q;"
    return "\n".join([*head[:2], *gates, *head[2:], f"g{depth - 1} q[0];", measure]) + "\n"


# Safe to send to a server without the limits (they only misbehave, they do not exhaust it).
HOSTILE = [
    'OPENQASM 2.0;\ninclude "/etc/passwd";\nqreg q[1];\n',
    'OPENQASM 2.0;\ninclude "../../../../etc/hostname";\nqreg q[1];\n',
    'OPENQASM 3.0;\ninclude "/etc/passwd";\nqubit q;\n',
    "OPENQASM 2.0;\nqreg q[18446744073709551617];\n",
    'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nx q[99999999999999999999];\n',
    nested(12, 2),  # 4096 operations: allowed, and transpiled by dry runs and the worker
    nested(10, 3),
]
# Bombs: without the limits, each exhausts memory (or runs for hours).
BOMBS = [
    "OPENQASM 3.0;\nqubit[100000000] q;\n",
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[1] q;\n'
    "for int i in [0:1000000000] { x q[0]; }\n",
    nested(41, 2),
    nested(41, 3),
    "OPENQASM 2.0;\n" + "".join(f"gate h{k} a {{ h{k - 1} a; }}\n" for k in range(1, 300)),
]


def build(home: Path):
    from qdispatch import App, Settings
    from qdispatch_core.usecases import create_experiment, ensure_user

    app = App(Settings.from_env({"QDISPATCH_HOME": str(home), "QDISPATCH_WORKER_THREADS": "4"}))
    services = app.services
    alice = ensure_user(services, "alice", "0")
    bob = ensure_user(services, "bob", "0")
    experiments = {
        alice.id: create_experiment(services, alice, "a").id,
        bob.id: create_experiment(services, bob, "b").id,
    }
    app.worker()  # the in-process worker, as the MCP server runs it
    return app, services, (alice, bob), experiments


def look_alike_first(corpus: Corpus) -> None:
    """Bob's look-alike is read (and cached) before Alice's circuit: with parsing and hashing
    apart, Alice's `x; measure` then runs as Bob's circuit, whose x a parser reads as comment."""
    corpus.submit(corpus.users[1], LOOK_ALIKE, dry_run=True)


class Corpus:
    def __init__(self, home: Path, seconds: float, threads: int, bombs: bool) -> None:
        self.app, self.services, self.users, self.experiments = build(home)
        self.hostile = HOSTILE + (BOMBS if bombs else [])
        self.stop = time.monotonic() + seconds
        # However slow a loaded machine is, every thread sends every ordinary kind and the
        # hostile threads together send every hostile source: `seconds` is a floor, not all.
        self.hostile_threads = max(1, threads // 2)
        self.min_rounds = max(5, -(-len(self.hostile) // self.hostile_threads))
        self.counts: Counter[str] = Counter()
        self.wrong: list[str] = []
        self.unexpected: list[str] = []
        self.jobs: list[tuple[object, str, str]] = []  # (user, job id, what it must give)
        self.lock = threading.Lock()
        self.unfinished = 0

    def note(self, key: str) -> None:
        with self.lock:
            self.counts[key] += 1

    def submit(self, user, circuit: str, **extra) -> str | None:
        from qdispatch_core.errors import QDispatchError
        from qdispatch_core.usecases import submit_run

        request = {
            "experiment_id": self.experiments[user.id],
            "circuits_qasm": [circuit],
            "device_id": "aer_simulator",
            "shots": SHOTS,
            **extra,
        }
        try:
            return submit_run(self.services, user, request).job_id
        except QDispatchError as err:
            self.note(f"refused {err.code}")
            return None
        except BaseException as exc:  # recorded: anything else is a finding
            with self.lock:
                self.unexpected.append(f"{type(exc).__name__}: {str(exc)[:200]}")
            return None

    def run(self, user, circuit: str, what: str, **extra) -> None:
        with self.lock:
            if len(self.jobs) >= RUNS:
                extra["dry_run"] = True
        job = self.submit(user, circuit, **extra)
        if job and not extra.get("dry_run"):
            with self.lock:
                self.jobs.append((user, job, what))

    def ordinary(self, user, k: int) -> None:
        kind = k % 5
        if kind == 0:
            self.run(user, X_MEASURED, "x")
        elif kind == 1:
            self.run(user, BELL3, "bell")
        elif kind == 2:
            self.submit(user, BELL3, dry_run=True)  # prepare: the cached transpiled circuit
            self.note("dry run")
        elif kind == 3:
            self.run(user, SWEEP3, "sweep", parameters=[[0.0], [3.141592653589793]])
        else:
            self.submit(user, nested(12, 2), dry_run=True)
            self.note("dry run")

    def client(self, index: int) -> None:
        user = self.users[index % 2]
        for rounds, k in enumerate(itertools.count(index)):
            if time.monotonic() > self.stop and rounds >= self.min_rounds:
                return
            if index % 2:  # the second user is the hostile one, and submits look-alikes
                self.submit(user, LOOK_ALIKE)
                # The hostile threads stride over the sources, so together they send them all.
                source = self.hostile[
                    (index // 2 + self.hostile_threads * rounds) % len(self.hostile)
                ]
                self.submit(user, source, dry_run=bool(k % 2))
                self.note("hostile sent")
            self.ordinary(user, k)

    def check(self) -> None:
        from qdispatch_core.usecases import get_job

        deadline = time.monotonic() + 300
        for user, job_id, what in self.jobs:
            while True:
                job = get_job(self.services, user, job_id).job
                if job.status in ("Done", "Error", "Cancelled") or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.note(f"job {job.status}")
            if job.status in ("Error", "Cancelled"):
                self.wrong.append(f"{what}: {job.status} {job.error}")
            elif job.status == "Done":
                self.verify(what, job.results)
            else:
                self.unfinished += 1

    def verify(self, what: str, results) -> None:
        if what == "x" and results != [{"1": SHOTS}]:
            self.wrong.append(f"x; measure gave {results}")
        elif what == "bell":
            (counts,) = results
            if set(counts) - {"00", "11"} or sum(counts.values()) != SHOTS:
                self.wrong.append(f"bell gave {counts}")
        elif what == "sweep":
            (per_set,) = results
            if per_set[0] != {"000": SHOTS} or per_set[1] != {"111": SHOTS}:
                self.wrong.append(f"sweep gave {per_set}")


def main(home: Path, seconds: float, threads: int, bombs: bool, debug: bool) -> None:
    faulthandler.enable(all_threads=True)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft > 6 * GIB:  # never above a limit set already
        resource.setrlimit(resource.RLIMIT_AS, (6 * GIB, hard))
    if debug:
        logging.basicConfig(level=logging.DEBUG, stream=open(os.devnull, "w"))  # noqa: SIM115
    corpus = Corpus(home, seconds, threads, bombs)
    look_alike_first(corpus)
    workers = [threading.Thread(target=corpus.client, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    corpus.check()
    corpus.app.close()
    print(
        json.dumps(
            {
                "counts": dict(corpus.counts),
                "jobs": len(corpus.jobs),
                "unfinished": corpus.unfinished,
                "wrong": corpus.wrong[:20],
                "unexpected": corpus.unexpected[:20],
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(
        Path(arguments[0]),
        float(arguments[1]),
        int(arguments[2]) if len(arguments) > 2 else 6,
        bombs="--no-bombs" not in sys.argv,
        debug="--debug" in sys.argv,
    )
