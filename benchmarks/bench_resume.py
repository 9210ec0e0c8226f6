"""8. Resume (issue 14): the heavy sweep run by a `qdispatch worker` process that is killed
(kill -9) at about half of it; another worker takes over when the lease expires and re-runs
only the shards whose outputs were not stored. Total wall time (submission to Done, the lease
expiry and the new worker's start included) against an uninterrupted run on a warm worker.

Uses its own SQLite database and worker processes (not the shared client's in-process worker).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import Row, ratio_at_most
from workloads import ISING_OBSERVABLES, ising_ansatz, ising_grid, to_qasm3

from qdispatch import Client

SEED = 7


class Worker:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qdispatch.worker_main", "--threads", "1"],
            env=env,
            stdout=self.log,
            stderr=self.log,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(60)
        self.log.close()


def wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def request(client: Client, count: int, shots: int):
    return client.run(
        to_qasm3(ising_ansatz()),
        "aer_simulator",
        parameters=ising_grid(count),
        observables=ISING_OBSERVABLES,
        shots=shots,
        options={"seed_simulator": SEED},
        experiment="bench-resume",
    )


def run(shared_client, quick: bool) -> list[Row]:
    # Quick: small shards, so that the small sweep still has some to recover.
    count, shots, lease, shard = (200, 5000, "3", "0.3") if quick else (1600, 20_000, "30", "5")
    home = Path(tempfile.mkdtemp(prefix="qdispatch-resume-"))
    env = dict(os.environ)
    env.update(
        {
            "QDISPATCH_HOME": str(home),
            "QDISPATCH_DATABASE_URL": f"sqlite:///{home / 'resume.db'}",
            "QDISPATCH_LEASE_SECONDS": lease,
            "QDISPATCH_SHARD_SECONDS": shard,
            "QDISPATCH_AUTOSTART_WORKER": "0",
        }
    )
    client = Client(env["QDISPATCH_DATABASE_URL"], worker=False)
    try:
        warm = Worker(env, home / "warm.log")
        try:
            request(client, 4, 100).result(timeout=600)  # the worker's pool is warm now
            began = time.perf_counter()
            whole = request(client, count, shots)
            whole.result(timeout=7200)
            uninterrupted = time.perf_counter() - began
        finally:
            warm.stop()
        first = Worker(env, home / "first.log")
        request(client, 4, 100).result(timeout=600)
        began = time.perf_counter()
        job = request(client, count, shots)
        executables = 2 * count
        wait(lambda: job.job().progress.done >= executables // 2, 7200, "half the sweep")
        first.kill()
        second = Worker(env, home / "second.log")
        try:
            job.result(timeout=7200)
        finally:
            second.stop()
        resumed = time.perf_counter() - began
        final = job.job()
        if final.results != whole.job().results:
            raise AssertionError("the resumed sweep's results differ from the uninterrupted one")
        line = next(
            (x for x in final.logs if "recovered from storage" in x),
            "- the first worker finished before the kill: nothing was resumed",
        )
    finally:
        client.close()
    return [
        Row(
            f"resume: kill -9 at ~50% of {count} sets × 2 groups, {shots} shots (lease {lease} s)",
            "s",
            [resumed],
            [uninterrupted],
            "the same sweep uninterrupted",
            "≤ 1.6× reference",
            ratio_at_most(1.6),
            note=line.split(" ", 1)[1] + "; results equal to the uninterrupted run's",
        )
    ]
