"""12. Scale-out (issue 15): one large Aer sweep (the 4-qubit Ising ansatz, observables
'ZZII:1,XIII:0.5', 20,000 shots) run by 1 worker process on PostgreSQL, by 2 worker processes
sharing its shards, and by 1 worker whose simulations run on a Dask LocalCluster of 2
processes; each against the same work in raw `AerSimulator.run` in one process. Reports the
wall time from submission to Done, shard claims per second, and the share of the wall time not
spent simulating (1 − raw time / wall time, for the one-worker run).

This machine has 2 cores shared with its other users: 2 workers cannot be more than 2× one,
and each worker's own process competes with the simulations for those cores.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_heavy_sweep import SEED, raw_aer
from common import Row, timed
from workloads import ISING_OBSERVABLES, ising_ansatz, ising_grid, to_qasm3

FINAL = ("Done", "Error", "Cancelled")


def _env(home: Path, url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QDISPATCH_HOME=str(home),
        QDISPATCH_DATABASE_URL=url,
        QDISPATCH_SECRET_KEY="bXkta2V5LW15LWtleS1teS1rZXktbXkta2V5LW15LWs=",
        QDISPATCH_WORKER_THREADS="1",
    )
    env.pop("QDISPATCH_AUTOSTART_WORKER", None)
    return env


def _workers(env, count: int, extra: list[str], log: Path) -> list[subprocess.Popen]:
    command = [str(Path(sys.executable).parent / "qdispatch"), "worker", *extra]
    with open(log, "ab") as out:
        return [subprocess.Popen(command, env=env, stdout=out, stderr=out) for _ in range(count)]


def _sweep(env, sets, shots, workers: int, extra: list[str], log: Path) -> tuple[float, int]:
    """(seconds from submission to Done, shards) with `workers` worker processes."""
    from qdispatch import App, Settings
    from qdispatch_core.usecases import create_experiment, get_job, submit_run

    with App(Settings.from_env(env)) as app:
        user = app.default_user
        experiment = create_experiment(app.services, user, f"scale-{workers}-{time.time()}")
        processes = _workers(env, workers, extra, log)
        try:
            time.sleep(8)  # the workers are up (Qiskit imported, pools warm) before the clock
            request = {
                "experiment_id": experiment.id,
                "device_id": "aer_simulator",
                "circuits_qasm": [to_qasm3(ising_ansatz())],
                "parameters": sets,
                "observables": ISING_OBSERVABLES,
                "shots": shots,
                "options": {"seed_simulator": SEED},
            }
            began = time.perf_counter()
            job_id = submit_run(app.services, user, request).job_id
            while get_job(app.services, user, job_id).job.status not in FINAL:
                time.sleep(0.05)
            wall = time.perf_counter() - began
            job = get_job(app.services, user, job_id).job
            if job.status != "Done":
                raise RuntimeError(f"the sweep ended {job.status}: {job.error}")
            shards = next(
                int(line.split(": ")[-1].split(" shard")[0])
                for line in job.logs
                if "shard(s) of up to" in line
            )
            return wall, shards
        finally:
            for p in processes:
                p.terminate()
            for p in processes:
                p.wait(60)


def run(client, quick: bool) -> list[Row]:
    from bench_storage import _postgres

    sets, shots = (ising_grid(100), 2_000) if quick else (ising_grid(1600), 20_000)
    raw = timed(lambda: raw_aer(sets, shots, parallel=True))[0]
    server = _postgres()
    if server is None:
        print("PostgreSQL binaries not found: skipping scale_out")
        return []
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            _, url = server.create_database()
            env = _env(Path(tmp) / "home", url)
            log = Path(tmp) / "workers.log"
            one, shards = _sweep(env, sets, shots, 1, [], log)
            two, _ = _sweep(env, sets, shots, 2, [], log)
            dask = _dask(env, sets, shots, log)
        executables = 2 * len(sets)
        note = (
            f"{executables} executables in {shards} shard(s) at the default shard size; "
            f"outside simulation (1 worker): {max(0.0, 1 - raw / one):.1%}; shard claims/s: "
            f"1 worker {shards / one:.2f}, 2 workers {shards / two:.2f}"
            + (f", Dask {shards / dask:.2f}" if dask else "")
            + "; 2 cores shared by every process here"
        )
        rows.append(
            Row(
                "scale-out: 1 worker (PostgreSQL)",
                "s",
                [one],
                [raw],
                "raw AerSimulator.run, one process",
                "report",
                None,
                note,
            )
        )
        rows.append(
            Row(
                "scale-out: 2 workers (PostgreSQL)",
                "s",
                [two],
                [one],
                "1 worker",
                "report (≤ 2 cores)",
                None,
            )
        )
        if dask:
            rows.append(
                Row(
                    "scale-out: Dask LocalCluster (2 processes)",
                    "s",
                    [dask],
                    [one],
                    "1 worker",
                    "report (≤ 2 cores)",
                    None,
                )
            )
    finally:
        server.stop()
    return rows


def _dask(env, sets, shots, log: Path) -> float | None:
    try:
        import distributed
    except ImportError:
        print("distributed not installed: skipping the Dask figure")
        return None
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        extra = ["--dask", cluster.scheduler_address, "--threads", "2"]
        return _sweep(env, sets, shots, 1, extra, log)[0]
