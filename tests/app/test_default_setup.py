"""Issue 5's "done when": the library client runs a job end to end on the embedded default
(Aer + SQLite) in a fresh environment, and an Aer job survives a kill -9 of its worker."""

from __future__ import annotations

import math

from qdispatch import App, Client, Settings
from qdispatch_core.usecases import create_experiment, get_job, submit_run
from tests.app.workers import SECRET_KEY, WorkerProcess, wait_until, worker_env
from tests.samples import BELL_QASM2


def test_the_client_runs_a_bell_job_on_the_embedded_default(tmp_path, monkeypatch):
    monkeypatch.setenv("QDISPATCH_HOME", str(tmp_path / "home"))
    for variable in ("QDISPATCH_DATABASE_URL", "QDISPATCH_SECRET_KEY"):
        monkeypatch.delenv(variable, raising=False)
    with Client() as client:
        job = client.run(BELL_QASM2, "aer_simulator", shots=2000, options={"seed_simulator": 3})
        (counts,) = job.result(timeout=120).raw
        assert set(counts) <= {"00", "11"} and sum(counts.values()) == 2000
        assert abs(counts["00"] - 1000) < 5 * math.sqrt(2000 * 0.25)  # binomial, 5σ
        assert (tmp_path / "home" / "data" / "qdispatch.db").exists()
        # The key that seals credentials is made when a first credential is sealed (this job
        # had none), private to its owner.
        key = tmp_path / "home" / "config" / "secret.key"
        assert not key.exists()
        cipher = client.app.services.cipher
        assert cipher.open(cipher.seal(b"token")) == b"token"
        assert key.exists() and key.stat().st_mode & 0o777 == 0o600


def _slow_aer_request(experiment_id: str) -> dict:
    """An exact sweep of an 18-qubit ansatz: seconds of Aer work, long enough to kill."""
    from qiskit import qasm3
    from qiskit.circuit import Parameter, QuantumCircuit

    circuit = QuantumCircuit(18)
    names = []
    for layer in range(3):
        for q in range(18):
            p = Parameter(f"t{layer:01d}{q:02d}")
            names.append(p)
            circuit.ry(p, q)
        for q in range(17):
            circuit.cx(q, q + 1)
    sets = [[0.01 * (i + k) for k in range(len(names))] for i in range(60)]
    z_all = "Z" * 18
    return {
        "experiment_id": experiment_id,
        "device_id": "aer_simulator",
        "circuits_qasm": [qasm3.dumps(circuit)],
        "run_type": "StatevectorRun",
        "parameters": sets,
        "observables": [[z_all, "X" + "I" * 17], [1.0, 0.5]],
    }


def test_kill_9_during_a_slow_aer_job_then_another_worker_finishes_it(tmp_path):
    env = worker_env(tmp_path, f"sqlite:///{tmp_path / 'jobs.db'}", QDISPATCH_SHARD_SECONDS="0.3")
    env.pop("QDISPATCH_EXTRA_BACKENDS")
    with App(Settings.from_env(env)) as app:
        assert app.settings.secret_key == SECRET_KEY
        user = app.default_user
        exp = create_experiment(app.services, user, "aer-crash")
        job_id = submit_run(app.services, user, _slow_aer_request(exp.id)).job_id

        def status() -> str:
            return get_job(app.services, user, job_id).job.status

        def stored() -> int:
            return get_job(app.services, user, job_id).job.progress.done

        first = WorkerProcess(env, tmp_path / "w1.log")
        try:
            wait_until(lambda: stored() > 0, 120, "the first worker to store a shard")
        finally:
            first.kill()
        assert status() == "Running"
        second = WorkerProcess(env, tmp_path / "w2.log")
        try:
            wait_until(lambda: status() == "Done", 180, "the second worker to finish it")
        finally:
            second.stop()
        job = get_job(app.services, user, job_id).job
        assert len(job.results) == 1 and len(job.results[0][0]) == 60  # one result set
        assert job.logs[-1].split(" ")[1].startswith("Done")
        assert sum("Done" in line.split(" ")[1] for line in job.logs) == 1
        logs = " ".join(job.logs)
        # The second worker takes over in one of two ways, by timing alone: its threads find the
        # dead worker's lease (2 s) still live and run the free shards as helpers, storing the
        # last and finishing the job; or the lease has run out and one claims the job and
        # resumes it. Either way the shards the first worker stored are not run again (a shard
        # is claimed only while pending or under an expired lease).
        if "shard(s) recovered from storage" in logs:
            assert " 0 of " not in logs.split("recovered")[0].split("resumed")[-1]
        else:
            assert "which stored the last of its shards" in logs, logs
        with app.services.repository.begin() as uow:  # a free device is never charged
            assert [e for e in uow.billing.entries(user.id) if e.job_id == job_id] == []
