"""Issue 14: heavy local work that finishes. Real Aer and fake-twin sweeps in the worker's pool
of simulation processes, a real SQLite database, real worker processes, kill -9 and SIGTERM.

A lease of 3 s is far shorter than a shard's simulation here: before the simulations left the
worker's interpreter, Aer held the GIL for longer than that and the job was taken over again
and again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from qdispatch import App, Settings
from qdispatch_core.usecases import cancel_job, create_experiment, get_job, submit_run
from tests.app.workers import WorkerProcess, wait_until, worker_env

SHOTS = 20_000
OBSERVABLES = [["ZZII", "XIII"], [1.0, 0.5]]


def ising_qasm() -> str:
    """A 4-qubit Ising ansatz: H, then two layers of ZZ couplings (gamma) and X mixers (beta)."""
    lines = ["OPENQASM 3.0;", 'include "stdgates.inc";', "input float gamma;", "input float beta;"]
    lines += ["qubit[4] q;", "h q[0];", "h q[1];", "h q[2];", "h q[3];"]
    for _ in range(2):
        for a in range(3):
            lines += [
                f"cx q[{a}], q[{a + 1}];",
                f"rz(gamma) q[{a + 1}];",
                f"cx q[{a}], q[{a + 1}];",
            ]
        lines += [f"rx(beta) q[{a}];" for a in range(4)]
    return "\n".join(lines) + "\n"


def sweep_request(experiment_id: str, sets: int, device: str = "aer_simulator", **more) -> dict:
    grid = [[0.05 * (i % 20), 0.07 * (i // 20)] for i in range(sets)]
    return {
        "experiment_id": experiment_id,
        "device_id": device,
        "circuits_qasm": [ising_qasm()],
        "parameters": grid,
        "observables": OBSERVABLES,
        "shots": SHOTS,
        "options": {"seed_simulator": 1234},
        **more,
    }


def heavy_env(tmp_path, **extra) -> dict[str, str]:
    env = worker_env(tmp_path, f"sqlite:///{tmp_path / 'jobs.db'}", **extra)
    env.pop("QDISPATCH_EXTRA_BACKENDS")
    return env


def stored_job(app: App, job_id: str):
    with app.services.repository.read() as uow:
        return uow.jobs.get_for_worker(job_id)


def exact_values(sets: list[list[float]]) -> list[float]:
    """<ZZII> + 0.5 <XIII> of each parameter set, from Aer's state vector."""
    from qiskit import qasm3
    from qiskit.quantum_info import SparsePauliOp, Statevector

    circuit = qasm3.loads(ising_qasm())
    operator = SparsePauliOp(["ZZII", "XIII"], [1.0, 0.5])
    values = []
    for beta, gamma in sets:  # parameters bind in Qiskit's order: by name
        bound = circuit.assign_parameters({"beta": beta, "gamma": gamma})
        values.append(float(Statevector(bound).expectation_value(operator).real))
    return values


READER = textwrap.dedent(
    """
    import json, sys, time
    from qdispatch import App, Settings
    from qdispatch_core.usecases import get_job
    app = App(Settings.from_env())
    user = app.default_user
    failures, slowest = [], 0.0
    for _ in range(50):
        began = time.monotonic()
        try:
            get_job(app.services, user, sys.argv[1])
        except BaseException as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
        slowest = max(slowest, time.monotonic() - began)
        time.sleep(0.05)
    print(json.dumps({"failures": failures, "slowest": slowest}))
    """
)


def start_reader(env: dict[str, str], job_id: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", READER, job_id], env=env, stdout=subprocess.PIPE, text=True
    )


def check_sweep(app: App, job_id: str, sets: int) -> None:
    job = get_job(app.services, app.default_user, job_id).job
    assert job.status == "Done", job.error
    stored = stored_job(app, job_id)
    assert stored.attempts == 1, "the job was taken over"
    logs = " ".join(job.logs)
    assert "recovered" not in logs and "handed back" not in logs
    assert job.started_at < job.finished_at
    ((values,),) = job.results
    ((errors,),) = job.uncertainties
    grid = [[0.05 * (i % 20), 0.07 * (i // 20)] for i in range(sets)]
    for value, error, exact in zip(values, errors, exact_values(grid), strict=True):
        assert abs(value - exact) <= 6 * error + 1e-9


@pytest.mark.slow
@pytest.mark.parametrize("where", ["in-process", "background"])
def test_a_long_sweep_with_a_short_lease_finishes_without_takeovers_and_reads_never_fail(
    tmp_path, where
):
    env = heavy_env(tmp_path, QDISPATCH_LEASE_SECONDS="3", QDISPATCH_SHARD_SECONDS="4")
    sets = 300  # 600 executables of 20,000 shots: shards of seconds each
    with App(Settings.from_env(env)) as app:
        experiment = create_experiment(app.services, app.default_user, "heavy")
        job_id = submit_run(app.services, app.default_user, sweep_request(experiment.id, sets))
        job_id = job_id.job_id
        worker = None
        if where == "in-process":
            app.worker()
        else:
            worker = WorkerProcess(env, tmp_path / "worker.log")
        try:
            wait_until(lambda: stored_job(app, job_id).status.value == "Running", 120, "Running")
            reader = start_reader(env, job_id)
            out, _ = reader.communicate(timeout=300)
            report = json.loads(out)
            assert report["failures"] == [] and reader.returncode == 0
            wait_until(lambda: stored_job(app, job_id).status.is_final, 600, "the sweep to finish")
        finally:
            if worker is not None:
                worker.stop()
        check_sweep(app, job_id, sets)


def running_child(app: App) -> int:
    pids = app.executor.busy_pids  # the one running the shard (a warm idle one may exist too)
    return pids[0] if pids else 0


@pytest.mark.slow
@pytest.mark.parametrize(("device", "sets"), [("aer_simulator", 400), ("fake_manila", 200)])
def test_cancel_of_a_running_local_sweep_terminates_its_simulation(tmp_path, device, sets):
    env = heavy_env(tmp_path, QDISPATCH_LEASE_SECONDS="10", QDISPATCH_SHARD_SECONDS="60")
    with App(Settings.from_env(env)) as app:
        user = app.default_user
        experiment = create_experiment(app.services, user, "cancel")
        job_id = submit_run(app.services, user, sweep_request(experiment.id, sets, device)).job_id
        app.worker()
        wait_until(lambda: stored_job(app, job_id).status.value == "Running", 120, "Running")
        wait_until(lambda: running_child(app), 60, "a simulation process")
        child = running_child(app)
        time.sleep(1.0)  # well inside the (single, long) shard
        asked = time.monotonic()
        cancel_job(app.services, user, job_id)
        wait_until(lambda: stored_job(app, job_id).status.is_final, 10, "Cancelled")
        job = get_job(app.services, user, job_id).job
        assert job.status == "Cancelled" and job.results is None and job.cost is None
        assert time.monotonic() - asked < 10
        from tests.app.test_simulations import wait_gone

        assert wait_gone(child), "the cancelled simulation kept its process"


@pytest.mark.slow
def test_kill_9_resumes_only_the_missing_shards_and_equals_an_uninterrupted_run(tmp_path):
    env = heavy_env(tmp_path, QDISPATCH_SHARD_SECONDS="0.5")
    sets = 120  # 240 executables in about ten shards
    with App(Settings.from_env(env)) as app:
        user = app.default_user
        experiment = create_experiment(app.services, user, "resume")
        crashed = submit_run(app.services, user, sweep_request(experiment.id, sets)).job_id
        first = WorkerProcess(env, tmp_path / "w1.log", threads=1)
        try:
            wait_until(lambda: stored_job(app, crashed).progress.done >= 50, 300, "two shards")
        finally:
            first.kill()
        with app.services.repository.read() as uow:
            records = uow.shards.list(crashed)
        stored = [r for r in records if r.status.value == "done"]
        assert 2 <= len(stored) < len(records)
        # The same request again, run without interruption by the next worker.
        intact = submit_run(app.services, user, sweep_request(experiment.id, sets)).job_id
        second = WorkerProcess(env, tmp_path / "w2.log", threads=1)
        try:
            for job_id in (crashed, intact):
                wait_until(lambda j=job_id: stored_job(app, j).status.is_final, 600, "Done")
        finally:
            second.stop()
        resumed = get_job(app.services, user, crashed).job
        uninterrupted = get_job(app.services, user, intact).job
        assert resumed.status == uninterrupted.status == "Done"
        line = next(x for x in resumed.logs if "recovered from storage" in x)
        assert f"{len(stored)} of {len(records)} shard(s) recovered" in line
        assert f"{len(records) - len(stored)} to run" in line
        assert resumed.results == uninterrupted.results  # seed_simulator: the same numbers
        assert resumed.uncertainties == uninterrupted.uncertainties


@pytest.mark.slow
def test_sigterm_hands_jobs_back_and_another_worker_finishes_them_long_before_the_lease(
    tmp_path,
):
    fake = "qdispatch_core.testing.backend:from_environment"
    env = worker_env(
        tmp_path,
        f"sqlite:///{tmp_path / 'jobs.db'}",
        QDISPATCH_LEASE_SECONDS="120",
        QDISPATCH_SHARD_SECONDS="0.5",
        QDISPATCH_FAKE_DELAY="0.05",
        QDISPATCH_FAKE_REMOTE_STEPS="600",
        QDISPATCH_EXTRA_BACKENDS=fake,
    )
    from tests.samples import BELL_QASM2, PARAM_2Q

    with App(Settings.from_env(env)) as app:
        user = app.default_user
        experiment = create_experiment(app.services, user, "handback")
        local = submit_run(
            app.services,
            user,
            {
                "experiment_id": experiment.id,
                "device_id": "dummy_simulator",
                "circuits_qasm": [PARAM_2Q],
                "parameters": [[0.01 * i, 0.2] for i in range(200)],
            },
        ).job_id
        remote = submit_run(
            app.services,
            user,
            {
                "experiment_id": experiment.id,
                "device_id": "dummy_qpu",
                "circuits_qasm": [BELL_QASM2],
                "options": {"fake_token": "tok-abcdef"},
            },
        ).job_id
        first = WorkerProcess(env, tmp_path / "w1.log", threads=2)
        try:
            wait_until(lambda: stored_job(app, local).progress.done >= 10, 120, "a shard")
            wait_until(lambda: stored_job(app, remote).status.value == "Running", 60, "Running")
            stopped = time.monotonic()
            first.process.send_signal(15)
            first.process.wait(30)
        finally:
            first.stop()
        for job_id in (local, remote):
            job = stored_job(app, job_id)
            assert not job.is_final and job.lease_expires_at is None, job.logs[-1]
        second = WorkerProcess(env, tmp_path / "w2.log", threads=2)
        try:
            for job_id in (local, remote):
                wait_until(lambda j=job_id: stored_job(app, j).status.is_final, 90, "Done")
        finally:
            second.stop()
        assert time.monotonic() - stopped < 100  # the 120 s leases never had to run out
        assert get_job(app.services, user, local).job.status == "Done"
        assert get_job(app.services, user, remote).job.status == "Done"
        from qdispatch_core.testing.backend import recorded_events

        events = recorded_events(tmp_path / "events")
        assert [e[0] for e in events if e[1] == remote].count("submit") == 1  # re-attached
        shards = [e for e in events if e[1] == local and e[0].startswith("shard:")]
        by_pid = {}
        for event in shards:
            by_pid.setdefault(event[2], []).append(event[0])
        # Both workers' processes ran shards of it (a worker's idle thread helps with the
        # sweep its other thread runs, issue 15: a worker may use more than one process).
        assert len(by_pid) >= 2
    assert os.path.exists(tmp_path / "w2.log")
