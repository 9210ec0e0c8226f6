"""A database with something of everything the dashboard draws, made through the real app:
the Aer simulator, an IBM fake backend with readout mitigation, the core's fake QPU for priced
jobs, Qiskit for circuits, SQLite for storage. Jobs run with the real JobRunner.

A "held" job stands for one a worker is running: the test takes its lease and walks it to
Running (or Queued); `release` lets the lease go, and a real runner then finishes the job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import timedelta

from qdispatch import App
from qdispatch_core.domain import JobStatus, Progress
from qdispatch_core.domain.lifecycle import walk
from qdispatch_core.usecases import create_experiment, create_user, submit_run
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from tests.samples import BELL_QASM2, ghz

HOLDER = "held-by-the-test"

SWEEP_QASM = """OPENQASM 3.0;
include "stdgates.inc";
input float theta;
qubit[2] q;
ry(theta) q[0];
cx q[0], q[1];
"""

GRID_QASM = """OPENQASM 3.0;
include "stdgates.inc";
input float theta;
input float phi;
qubit[2] q;
ry(theta) q[0];
ry(phi) q[1];
cx q[0], q[1];
"""

SWEEP_POINTS = 13
GRID_SIDE = 7
SWEEP_OBSERVABLES = [[["ZZ"], [1.0]], [["XX"], [1.0]], [["IZ"], [1.0]]]


@dataclass
class Demo:
    bell: str
    sweep: str
    grid: str
    mitigated: str
    statevector: str
    dry_run: str
    paid: list[str]
    running: str  # held in Running until released
    queued: str  # held in Queued, for the cancel button
    experiments: dict[str, str]


def _submit(app: App, user, **request) -> str:
    return submit_run(app.services, user, request).job_id


def run_everything(app: App) -> None:
    runner = JobRunner(app.services, WorkerConfig("demo-runner", lease_seconds=120))
    while (job := runner.claim_next()) is not None:
        runner.run(job)


def build(app: App, user) -> Demo:
    s = app.services
    bells = create_experiment(s, user, "bell-states", "A Bell pair, sampled and mitigated")
    vqe = create_experiment(s, user, "energy-scan", "Expectation values over parameter sweeps")
    costs = create_experiment(s, user, "qpu-budget", "Jobs on a priced device")
    seed = {"seed_simulator": 11}
    bell = _submit(
        app,
        user,
        experiment_id=bells.id,
        circuits_qasm=[BELL_QASM2],
        device_id="aer_simulator",
        shots=1000,
        options=seed,
        name="bell pair",
    )
    mitigated = _submit(
        app,
        user,
        experiment_id=bells.id,
        circuits_qasm=[BELL_QASM2],
        device_id="fake_manila",
        shots=2000,
        options=seed,
        use_mitigation=True,
        name="bell on fake_manila, mitigated",
    )
    statevector = _submit(
        app,
        user,
        experiment_id=bells.id,
        circuits_qasm=[ghz(3, measure=False)],
        device_id="aer_simulator",
        run_type="StatevectorRun",
        name="ghz state",
    )
    thetas = [2 * math.pi * i / (SWEEP_POINTS - 1) for i in range(SWEEP_POINTS)]
    sweep = _submit(
        app,
        user,
        experiment_id=vqe.id,
        circuits_qasm=[SWEEP_QASM],
        device_id="aer_simulator",
        shots=2000,
        options=seed,
        parameters=[[t] for t in thetas],
        observables=SWEEP_OBSERVABLES,
        name="theta sweep",
    )
    axis = [math.pi * i / (GRID_SIDE - 1) for i in range(GRID_SIDE)]
    grid = _submit(
        app,
        user,
        experiment_id=vqe.id,
        circuits_qasm=[GRID_QASM],
        device_id="aer_simulator",
        run_type="StatevectorRun",
        parameters=[[phi, theta] for phi in axis for theta in axis],
        observables=[[["ZZ", "XX"], [1.0, 1.0]]],
        name="phi-theta grid",
    )
    token = {"fake_token": "not-a-real-token"}
    paid = [
        _submit(
            app,
            user,
            experiment_id=costs.id,
            circuits_qasm=[ghz(n)],
            device_id="dummy_qpu",
            shots=shots,
            options=token,
            name=f"ghz-{n} on the QPU",
        )
        for n, shots in ((2, 1000), (3, 2500), (4, 4000))
    ]
    dry_run = _submit(
        app,
        user,
        experiment_id=costs.id,
        circuits_qasm=[ghz(5)],
        device_id="dummy_qpu",
        shots=5000,
        dry_run=True,
        name="ghz-5 estimate",
    )
    run_everything(app)
    running = _submit(
        app,
        user,
        experiment_id=bells.id,
        circuits_qasm=[BELL_QASM2],
        device_id="aer_simulator",
        shots=500,
        options=seed,
        name="bell, running",
    )
    queued = _submit(
        app,
        user,
        experiment_id=costs.id,
        circuits_qasm=[ghz(2)],
        device_id="dummy_qpu",
        shots=800,
        options=token,
        name="ghz-2, queued",
    )
    hold(app, running, JobStatus.RUNNING)
    hold(app, queued, JobStatus.QUEUED)
    names = {e.name: e.id for e in (bells, vqe, costs)}
    return Demo(bell, sweep, grid, mitigated, statevector, dry_run, paid, running, queued, names)


def hold(app: App, job_id: str, status: JobStatus) -> None:
    """Take the job's lease as a worker would and walk it to `status`."""
    s = app.services
    now = s.clock()
    with s.repository.begin() as uow:
        job = uow.jobs.claim(job_id, HOLDER, now, now + timedelta(hours=1))
        assert job is not None, f"{job_id} could not be claimed"
        steps = (JobStatus.INITIALIZING, JobStatus.VALIDATING, JobStatus.QUEUED)
        if status is JobStatus.RUNNING:
            steps += (JobStatus.RUNNING,)
        job = walk(job, steps, now, f"picked up by {HOLDER}")
        uow.jobs.save(replace(job, progress=Progress(0, 1)), lease_owner=HOLDER)
        uow.commit()


def release_and_finish(app: App, job_id: str) -> None:
    """Let a held job's lease expire, as when its worker dies; a real runner then takes it
    over and runs it to the end (it resumes a job that was already Running)."""
    s = app.services
    with s.repository.begin() as uow:
        job = uow.jobs.get_for_worker(job_id)
        expired = replace(job, lease_expires_at=s.clock() - timedelta(seconds=1))
        uow.jobs.save(expired, lease_owner=HOLDER)
        uow.commit()
    runner = JobRunner(s, WorkerConfig("demo-runner", lease_seconds=120))
    now = s.clock()
    with s.repository.begin() as uow:
        claimed = uow.jobs.claim(job_id, "demo-runner", now, now + timedelta(seconds=120))
        uow.commit()
    assert claimed is not None
    runner.run(claimed)


def team(app: App) -> dict[str, tuple[object, str]]:
    """Two users with API keys, each with a job of their own."""
    out = {}
    for name in ("alice", "bob"):
        user, key = create_user(app.services, name, 10)
        experiment = create_experiment(app.services, user, f"{name}-work")
        job = _submit(
            app,
            user,
            experiment_id=experiment.id,
            circuits_qasm=[BELL_QASM2],
            device_id="dummy_qpu",
            shots=100,
            options={"fake_token": "x"},
            name=f"{name}'s job",
        )
        out[name] = (user, key, job)
    return out
