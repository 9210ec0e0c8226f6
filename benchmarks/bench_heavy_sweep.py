"""7. Heavy sweep (issue 14): the 1,600-set 4-qubit Ising-ansatz sweep with observables
'ZZII:1,XIII:0.5' and 20,000 shots (3,200 executables) through qdispatch, against the same work
in raw `AerSimulator.run` with `parameter_binds` in one process (one call per measurement
basis). Also: restarts of the qdispatch job (takeovers), the latency of reading the job from
another process while it runs, and how long a cancel takes to end a running sweep.

qdispatch runs a sweep's experiments side by side (max_parallel_experiments=0); a second
reference row gives raw Aer the same setting, so qdispatch's own overhead stays visible.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
import time

from common import Row, at_most, ratio_at_most, timed
from workloads import ISING_OBSERVABLES, ising_ansatz, ising_grid, to_qasm3

SEED = 2024
READER = textwrap.dedent(
    """
    import json, sys, time
    from qdispatch import App
    from qdispatch_core.usecases import get_job
    app = App()
    user = app.default_user
    latencies = []
    while True:
        began = time.perf_counter()
        job = get_job(app.services, user, sys.argv[1]).job
        latencies.append(time.perf_counter() - began)
        if job.status in ("Done", "Error", "Cancelled"):
            break
        time.sleep(0.1)
    print(json.dumps(latencies))
    """
)


def raw_aer(sets: list[list[float]], shots: int, parallel: bool) -> list:
    """The sweep as a Qiskit user writes it: one circuit per measurement basis, every
    parameter set bound by Aer in one call each."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    simulator = AerSimulator(**({"max_parallel_experiments": 0} if parallel else {}))
    circuit = ising_ansatz()
    beta, gamma = sorted(circuit.parameters, key=lambda p: p.name)
    binds = {beta: [s[0] for s in sets], gamma: [s[1] for s in sets]}
    counts = []
    for rotate_qubit_3 in (False, True):  # ZZII in Z; XIII needs X on qubit 3
        measured = circuit.copy()
        if rotate_qubit_3:
            measured.h(3)
        measured.measure_all()
        compiled = transpile(measured, simulator)
        result = simulator.run(
            compiled, parameter_binds=[binds], shots=shots, seed_simulator=SEED
        ).result()
        counts.append([result.get_counts(i) for i in range(len(sets))])
    return counts


def attempts(client, job_id: str) -> int:
    with client.app.services.repository.read() as uow:
        return uow.jobs.get_for_worker(job_id).attempts


def submit(client, sets, shots):
    return client.run(
        to_qasm3(ising_ansatz()),
        "aer_simulator",
        parameters=sets,
        observables=ISING_OBSERVABLES,
        shots=shots,
        options={"seed_simulator": SEED},
        experiment="bench-heavy",
    )


def qdispatch_run(client, sets, shots) -> tuple[float, int, list[float]]:
    """(wall seconds from submission to results, restarts, read latencies seen meanwhile
    from another process)."""
    began = time.perf_counter()
    job = submit(client, sets, shots)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, job.id], stdout=subprocess.PIPE, text=True
    )
    job.result(timeout=3600)
    wall = time.perf_counter() - began
    out, _ = reader.communicate(timeout=120)
    return wall, attempts(client, job.id) - 1, json.loads(out)


def cli_show(job_id: str, times: int) -> list[float]:
    """Wall time of `qdispatch jobs show ID --json` in a fresh process (start-up included)."""
    command = [os.path.join(os.path.dirname(sys.executable), "qdispatch"), "jobs", "show"]
    walls = []
    for _ in range(times):
        began = time.perf_counter()
        subprocess.run([*command, job_id, "--json"], capture_output=True, check=True)
        walls.append(time.perf_counter() - began)
    return walls


def cancel_latency(client, sets, shots) -> float:
    """Seconds from the cancel request to the job's Cancelled, with its simulation running."""
    job = submit(client, sets, shots)
    executor = client.app.executor
    deadline = time.monotonic() + 120
    while not (job.status() == "Running" and executor.busy_pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(1.0)  # inside the first shard
    began = time.perf_counter()
    job.cancel()
    while job.status() != "Cancelled":
        if time.perf_counter() - began > 60:
            raise AssertionError("the cancel did not end the sweep within 60 s")
        time.sleep(0.005)
    return time.perf_counter() - began


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(client, quick: bool) -> list[Row]:
    count, shots, cancels = (64, 2000, 1) if quick else (1600, 20_000, 5)
    sets = ising_grid(count)
    submit(client, ising_grid(4), 100).result(timeout=600)  # the simulation pool is warm now
    q_wall, restarts, reads = qdispatch_run(client, sets, shots)
    raw_wall, _ = timed(lambda: raw_aer(sets, shots, parallel=False))
    tuned_wall, _ = timed(lambda: raw_aer(sets, shots, parallel=True))
    shows = cli_show(submit(client, ising_grid(4), 100).id, 3 if quick else 10)
    latencies = [cancel_latency(client, ising_grid(400), 20_000) for _ in range(cancels)]
    name = f"heavy sweep: {count} sets × 2 groups, {shots} shots"
    note = (
        f"restarts {restarts}; {len(reads)} reads from another process while it ran, "
        f"max {max(reads) * 1000:.0f} ms; cancel latencies "
        + ", ".join(f"{c:.2f}" for c in latencies)
        + " s"
    )
    return [
        Row(
            name,
            "s",
            [q_wall],
            [raw_wall],
            "raw AerSimulator.run",
            "≤ 1.10× reference",
            ratio_at_most(1.10),
            note=note,
        ),
        Row(
            f"{name}, reference in parallel too",
            "s",
            [q_wall],
            [tuned_wall],
            "AerSimulator(max_parallel_experiments=0).run",
            "— (qdispatch's own overhead)",
        ),
        Row(
            "heavy sweep: restarts (takeovers) of the job",
            "restarts",
            [float(restarts)],
            None,
            "",
            "0",
            at_most(0),
        ),
        Row(
            "heavy sweep: p95 of reading the job from another process while it runs",
            "ms",
            [p95(reads) * 1000],
            None,
            "",
            "≤ 150 ms",
            at_most(150),
        ),
        Row(
            "heavy sweep: `qdispatch jobs show --json` wall time, start-up included",
            "s",
            shows,
            None,
            "",
            "— (process start-up dominates)",
        ),
        Row(
            f"heavy sweep: cancel latency (median of {cancels})",
            "s",
            [statistics.median(latencies)],
            None,
            "",
            "≤ 2 s",
            at_most(2.0),
        ),
    ]
