"""Issue 15: `qdispatch worker --dask ADDRESS` runs the shards it claims on a real Dask cluster
(a LocalCluster of 2 worker processes started here); the database stays the system of record.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from qdispatch_core.testing.backend import recorded_events
from qdispatch_core.usecases import create_experiment, get_job, submit_run
from tests.app.workers import WorkerProcess, app_for, wait_until, worker_env
from tests.samples import PARAM_2Q

distributed = pytest.importorskip("distributed")

SETS = 200
FINAL = ("Done", "Error", "Cancelled")
QDISPATCH = Path(sys.executable).parent / "qdispatch"


@pytest.fixture(scope="module")
def cluster():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield cluster, client


def sweep(experiment_id: str) -> dict:
    return {
        "experiment_id": experiment_id,
        "device_id": "dummy_simulator",
        "circuits_qasm": [PARAM_2Q],
        "parameters": [[0.01 * i, 0.4] for i in range(SETS)],
        "shots": 300,
        "options": {"seed": 11},
    }


class DaskWorker:
    """The installed `qdispatch worker --dask ADDRESS`, in a subprocess."""

    def __init__(self, env: dict[str, str], address: str, log: Path) -> None:
        self._log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.log_path = log
        self.process = subprocess.Popen(
            [str(QDISPATCH), "worker", "--dask", address, "--threads", "2"],
            env=env,
            stdout=self._log,
            stderr=self._log,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()


def run_to_the_end(app, user, job_id: str):
    wait_until(lambda: get_job(app.services, user, job_id).job.status in FINAL, 240, "final")
    return get_job(app.services, user, job_id).job


def test_a_sweep_on_a_dask_cluster_equals_the_local_executor_even_when_a_dask_worker_dies(
    tmp_path, cluster
):
    local_cluster, client = cluster
    env = worker_env(
        tmp_path,
        f"sqlite:///{tmp_path / 'jobs.db'}",
        QDISPATCH_LEASE_SECONDS="15",
        QDISPATCH_FAKE_DELAY="0.01",
        QDISPATCH_SHARD_SECONDS="0.1",
    )
    with app_for(env) as app:
        user = app.default_user
        experiment = create_experiment(app.services, user, "dask")
        worker = DaskWorker(env, local_cluster.scheduler_address, tmp_path / "dask-worker.log")
        try:
            untouched = submit_run(app.services, user, sweep(experiment.id)).job_id
            on_dask = run_to_the_end(app, user, untouched)
            pids = set(client.run(os.getpid).values())
            killed_job = submit_run(app.services, user, sweep(experiment.id)).job_id
            wait_until(
                lambda: get_job(app.services, user, killed_job).job.progress.done >= 40,
                120,
                "some shards stored",
            )
            busy = [address for address, tasks in client.processing().items() if tasks]
            victim = client.run(os.getpid, workers=busy[:1] or None)
            os.kill(next(iter(victim.values())), signal.SIGKILL)
            progress = get_job(app.services, user, killed_job).job.progress
            assert progress.done < progress.total, "the kill came after the sweep's end"
            after_kill = run_to_the_end(app, user, killed_job)
        finally:
            worker.stop()
        log = (tmp_path / "dask-worker.log").read_text(errors="replace")
        assert on_dask.status == "Done", (on_dask.error, log[-3000:])
        assert after_kill.status == "Done", (after_kill.error, log[-3000:])
        # The shards ran in the Dask worker processes, not in a local simulation pool.
        shard_pids = {
            e[2]
            for e in recorded_events(tmp_path / "events")
            if e[1] == untouched and e[0].startswith("shard:")
        }
        assert shard_pids and shard_pids <= pids, (shard_pids, pids)
        assert "qdispatch-simulation" not in log

        reference_id = submit_run(app.services, user, sweep(experiment.id)).job_id
        local = WorkerProcess(env, tmp_path / "local.log", threads=2)
        try:
            reference = run_to_the_end(app, user, reference_id)
        finally:
            local.stop()
        assert reference.status == "Done"
        assert on_dask.results == reference.results
        assert after_kill.results == reference.results


def test_without_distributed_the_dask_option_fails_with_the_install_hint(tmp_path):
    env = worker_env(tmp_path, f"sqlite:///{tmp_path / 'jobs.db'}")
    # `distributed` made unimportable in the worker process, as where the extra is missing.
    script = (
        "import sys; sys.modules['distributed'] = None; "
        "from qdispatch.worker_main import main; main(['--dask', 'tcp://127.0.0.1:1'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "pip install 'qdispatch[dask]'" in done.stderr
    assert "Traceback" not in done.stderr
