"""`qdispatch.Client`: the library door. The same use cases as the CLI and MCP server, with
the default adapters wired and a worker running inside the calling process.

    from qdispatch import Client

    with Client() as client:
        job = client.run(circuits_qasm=[bell], device_id="aer_simulator", shots=1000)
        print(job.wait(60).status, job.result())
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from qdispatch.bootstrap import App
from qdispatch.settings import Settings
from qdispatch_core import usecases
from qdispatch_core.domain import User
from qdispatch_core.schemas import (
    CircuitView,
    DeviceView,
    ExperimentView,
    JobSummary,
    JobView,
)


class JobFailed(RuntimeError):
    """The job ended in Error or Cancelled; `.job` holds the whole job."""

    def __init__(self, job: JobView) -> None:
        reason = job.error if job.status == "Error" else "the job was cancelled"
        super().__init__(f"job {job.id} ended {job.status}: {reason}")
        self.job = job


class JobHandle:
    def __init__(self, client: Client, job_id: str) -> None:
        self._client = client
        self.id = job_id

    def __repr__(self) -> str:
        return f"JobHandle({self.id!r})"

    def job(self) -> JobView:
        """The whole job as it stands (run contract §1)."""
        return usecases.get_job(self._client.app.services, self._client.user, self.id).job

    def status(self) -> str:
        return self.job().status

    def wait(self, timeout: float | None = None, poll: float = 0.02) -> JobView:
        """Block until the job is final; TimeoutError after `timeout` seconds.

        With the worker in this process, it wakes the moment a job finishes; otherwise (a
        separate worker runs the job) it polls, backing off to twice a second.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        worker = self._client.app.running_worker
        delay = poll
        while True:
            seen = worker.jobs_finished if worker is not None else 0
            job = self.job()
            if job.status in ("Done", "Error", "Cancelled"):
                return job
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise TimeoutError(f"job {self.id} is still {job.status} after {timeout} s")
            pause = delay if left is None else min(delay, left)
            if worker is not None:
                worker.wait_for_a_finish(seen, pause)
            else:
                time.sleep(pause)
            delay = min(delay * 1.5, 0.5)

    def result(self, timeout: float | None = None) -> Any:
        """The results (§5 nesting), waiting for them; JobFailed if the job did not succeed."""
        job = self.wait(timeout)
        if job.status != "Done":
            raise JobFailed(job)
        return job.results

    def uncertainties(self, timeout: float | None = None) -> Any:
        job = self.wait(timeout)
        if job.status != "Done":
            raise JobFailed(job)
        return job.uncertainties

    def cancel(self) -> JobView:
        return usecases.cancel_job(self._client.app.services, self._client.user, self.id).job


class Client:
    """Use cases for programs. Jobs run in a worker inside this process (unless `worker=False`,
    when a separate `qdispatch worker` is expected to run them)."""

    def __init__(
        self,
        database_url: str | None = None,
        *,
        api_key: str | None = None,
        worker: bool = True,
        app: App | None = None,
    ) -> None:
        self.app = app or App(Settings.from_env(database_url=database_url))
        self._api_key = api_key
        self._start_worker = worker
        self._user: User | None = None

    @property
    def user(self) -> User:
        if self._user is None:
            self._user = (
                self.app.user_for_key(self._api_key) if self._api_key else self.app.default_user
            )
        return self._user

    # -- reading -------------------------------------------------------------------------

    def devices(self, provider: str | None = None) -> list[DeviceView]:
        return [DeviceView.of(d) for d in usecases.list_devices(self.app.services, provider)]

    def experiment(self, name: str, description: str = "") -> ExperimentView:
        """The experiment with this name, created when new."""
        return ExperimentView.of(
            usecases.create_experiment(self.app.services, self.user, name, description)
        )

    def experiments(self) -> list[ExperimentView]:
        return [
            ExperimentView.of(e) for e in usecases.list_experiments(self.app.services, self.user)
        ]

    def add_circuit(
        self, qasm: str, *, experiment: str = "default", name: str = "", description: str = ""
    ) -> CircuitView:
        experiment_id = self.experiment(experiment).id
        circuit = usecases.submit_circuit(
            self.app.services, self.user, experiment_id, qasm, name, description
        )
        return CircuitView.of(circuit)

    def job(self, job_id: str) -> JobHandle:
        handle = JobHandle(self, job_id)
        handle.job()  # 404 now rather than later
        return handle

    def jobs(
        self, *, experiment_id: str | None = None, status: str | None = None, limit: int = 50
    ) -> list[JobSummary]:
        jobs = usecases.list_jobs(self.app.services, self.user, experiment_id, status, limit)
        return [JobSummary.of(j) for j in jobs]

    # -- running -------------------------------------------------------------------------

    def run(
        self,
        circuits_qasm: str | Sequence[str] | None = None,
        device_id: str = "aer_simulator",
        *,
        experiment: str = "default",
        experiment_id: str | None = None,
        **request: Any,
    ) -> JobHandle:
        """Submit a run (the fields of run contract §3) and return a handle at once.

        `experiment` names an experiment (created when new) unless `experiment_id` is given.
        """
        if isinstance(circuits_qasm, str):
            circuits_qasm = [circuits_qasm]
        payload = {
            "experiment_id": experiment_id or self.experiment(experiment).id,
            "circuits_qasm": list(circuits_qasm or []),
            "device_id": device_id,
            **request,
        }
        response = usecases.submit_run(self.app.services, self.user, payload)
        if self._start_worker and response.status != "Done":  # a dry run is already done
            self.app.worker().notify()
        return JobHandle(self, response.job_id)

    def close(self) -> None:
        self.app.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
