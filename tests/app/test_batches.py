"""Small jobs in batches with the real parts (issue 15): Aer in the pool's child processes,
SQLite, the worker's threads. Jobs that wait together run as batches and give what each gives
alone."""

from __future__ import annotations

from qdispatch import App, Client, Settings
from qdispatch.simulations import ProcessExecutor
from qdispatch_core.ports.executor import LocalBatch
from tests.samples import BELL_QASM2


def test_bell_jobs_waiting_together_run_as_batches_on_aer(tmp_path, monkeypatch):
    sent: list[int] = []  # pieces per start: 1 for a job alone
    start = ProcessExecutor.start

    def spy(self, work, backends):
        sent.append(len(work.works) if isinstance(work, LocalBatch) else 1)
        return start(self, work, backends)

    monkeypatch.setattr(ProcessExecutor, "start", spy)
    settings = Settings.from_env({"QDISPATCH_HOME": str(tmp_path)})
    with Client(app=App(settings), worker=False, progress=False) as submitter:
        ids = [
            submitter.run(BELL_QASM2, "aer_simulator", shots=500 + i, experiment="batches").id
            for i in range(12)
        ]
    with Client(app=App(settings), progress=False) as client:
        client.app.worker()  # the worker finds twelve jobs waiting
        for i, job_id in enumerate(ids):
            counts = client.job(job_id).result(timeout=120).counts()
            assert sum(counts.values()) == 500 + i and set(counts) <= {"00", "11"}
            job = client.job(job_id).job()
            assert job.status == "Done" and job.started_at <= job.finished_at
    assert sum(sent) == 12 and max(sent) > 1  # some ran together
