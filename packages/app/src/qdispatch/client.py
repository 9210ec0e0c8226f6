"""`qdispatch.Client`: the library door. The same use cases as the CLI and MCP server, with
the default adapters wired and a worker running inside the calling process.

    from qdispatch import Client

    with Client() as client:
        job = client.run(bell, "aer_simulator", shots=1000)   # QASM text or a QuantumCircuit
        print(job.result().counts())

Inputs may be what Qiskit and numpy users hold (`qdispatch.inputs`); results come back as a
`RunResult` (`qdispatch.results`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from qdispatch import inputs
from qdispatch.bootstrap import App
from qdispatch.following import follow
from qdispatch.progress import WaitProgress
from qdispatch.results import RunResult
from qdispatch.settings import Settings
from qdispatch.views import JobList, JobSummary, JobView
from qdispatch_core import usecases
from qdispatch_core.domain import JobStatus, User
from qdispatch_core.schemas import CircuitView, DeviceView, ExperimentView, RunRequest, parse

if TYPE_CHECKING:  # names for annotations only (postponed by `from __future__`)
    from qiskit import QuantumCircuit

    CircuitLike: TypeAlias = str | QuantumCircuit


class JobFailed(RuntimeError):
    """The job ended in Error or Cancelled; `.job` holds the whole job."""

    def __init__(self, job: JobView) -> None:
        reason = job.error if job.status == JobStatus.ERROR else "the job was cancelled"
        super().__init__(f"job {job.id} ended {job.status}: {reason}")
        self.job = job


class JobHandle:
    """A submitted job: read it, wait for it, get its results, cancel it."""

    def __init__(self, client: Client, job_id: str) -> None:
        self._client = client
        self.id = job_id

    def __repr__(self) -> str:
        return f"JobHandle({self.id!r})"

    def _repr_html_(self) -> str:
        from qdispatch import display

        return display.job_html(self.job())

    def job(self) -> JobView:
        """The whole job as it stands (run contract §1)."""
        view = usecases.get_job(self._client.app.services, self._client.user, self.id).job
        return JobView.from_core(view)

    def status(self) -> JobStatus:
        return self.job().status

    def wait(
        self, timeout: float | None = None, poll: float = 0.02, *, progress: bool | None = None
    ) -> JobView:
        """Block until the job is final; TimeoutError after `timeout` seconds.

        `progress` shows a bar that moves with the job's executables (tqdm: a widget in
        notebooks, text on a terminal); None follows the client's setting, which by default
        shows it in notebooks and terminals only. With the worker in this process, the wait
        wakes the moment a job finishes; otherwise (a separate worker runs the job) it polls,
        backing off to twice a second.
        """
        bar = WaitProgress(self.id, self._client.progress if progress is None else progress)
        job = None
        try:
            job, final = follow(
                self._client.app, self.job, timeout=timeout, on_update=bar.update, first=poll
            )
        finally:
            bar.close(job)
        if not final:
            raise TimeoutError(f"job {self.id} is still {job.status} after {timeout} s")
        return job

    def result(self, timeout: float | None = None, *, progress: bool | None = None) -> RunResult:
        """The results as a `RunResult` (its `.raw` is the contract's nested lists), waiting
        for them; JobFailed if the job did not succeed."""
        job = self.wait(timeout, progress=progress)
        if job.status != JobStatus.DONE:
            raise JobFailed(job)
        return RunResult(job, lambda: self._client.parameter_names(job))

    def uncertainties(self, timeout: float | None = None) -> Any:
        """The standard errors in the contract's nesting (the shape of `result().raw`)."""
        job = self.wait(timeout, progress=False)
        if job.status != JobStatus.DONE:
            raise JobFailed(job)
        return job.uncertainties

    def cancel(self) -> JobView:
        view = usecases.cancel_job(self._client.app.services, self._client.user, self.id).job
        return JobView.from_core(view)

    def recompute(self) -> RunResult:
        """Derive a Done job's expectation values, uncertainties and mitigation record again
        from its stored outputs and readout calibration: a new version of its results, the
        earlier ones kept (`result_history()`). Runs nothing, contacts no provider, charges
        nothing."""
        client = self._client
        view = JobView.from_core(
            usecases.recompute_job(client.app.services, client.user, self.id).job
        )
        return RunResult(view, lambda: client.parameter_names(view))

    def result_history(self) -> list[dict[str, Any]]:
        """Earlier versions of the job's results, oldest first, each with its `version`,
        `replaced_at`, `results`, `uncertainties`, `raw_results` and `mitigation`."""
        return usecases.result_history(self._client.app.services, self._client.user, self.id)


class Client:
    """Use cases for programs. Jobs run in a worker inside this process (unless `worker=False`,
    when a separate `qdispatch worker` is expected to run them).

    `progress` sets whether `wait()` and `result()` show a progress bar: True, False, or None
    (the default) for notebooks and terminals only.
    """

    def __init__(
        self,
        database_url: str | None = None,
        *,
        api_key: str | None = None,
        worker: bool = True,
        app: App | None = None,
        progress: bool | None = None,
    ) -> None:
        self.app = app or App(Settings.from_env(database_url=database_url))
        self._api_key = api_key
        self._start_worker = worker
        self._user: User | None = None
        self.progress = progress
        # Experiment ids by name, for `run(experiment=...)`: experiments are never deleted or
        # renamed, so one look-up per name saves a read on every later submission.
        self._experiment_ids: dict[str, str] = {}

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

    def device(self, device_id: str) -> DeviceView:
        """One device (404 when unknown)."""
        return DeviceView.of(usecases.get_device(self.app.services, device_id))

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
        self,
        circuit: CircuitLike,
        *,
        experiment: str = "default",
        name: str = "",
        description: str = "",
    ) -> CircuitView:
        """Store one circuit (OpenQASM text or a `QuantumCircuit`) in an experiment; the same
        source stored twice is one circuit. A QuantumCircuit's own name is used unless `name`
        is given (Qiskit's generated `circuit-123` names are not)."""
        if inputs.is_quantum_circuit(circuit):
            from qdispatch.qasm_export import user_name

            name = name or user_name(circuit)
            qasm = inputs.export_circuit(circuit).qasm
        else:
            qasm = circuit
        experiment_id = self.experiment(experiment).id
        stored = usecases.submit_circuit(
            self.app.services, self.user, experiment_id, qasm, name, description
        )
        return CircuitView.of(stored)

    def circuit(self, circuit_id: str, *, with_source: bool = False) -> CircuitView:
        stored = usecases.get_circuit(self.app.services, self.user, circuit_id)
        return CircuitView.of(stored, with_source=with_source)

    def parameter_names(self, job: JobView) -> list[list[str]] | None:
        """Each circuit's parameter names in binding order, for a job with parameters."""
        if job.parameters is None:
            return None
        return [
            list(self.circuit(cid).analytics.get("parameter_names", [])) for cid in job.circuit_ids
        ]

    def job(self, job_id: str) -> JobHandle:
        handle = JobHandle(self, job_id)
        handle.job()  # 404 now rather than later
        return handle

    def jobs(
        self, *, experiment_id: str | None = None, status: str | None = None, limit: int = 50
    ) -> JobList:
        jobs = usecases.list_jobs(self.app.services, self.user, experiment_id, status, limit)
        return JobList(JobSummary.of(j) for j in jobs)

    # -- running -------------------------------------------------------------------------

    def run(
        self,
        circuits: CircuitLike | Sequence[CircuitLike] | None = None,
        device_id: str = "aer_simulator",
        *,
        circuit_ids: Sequence[str] = (),
        shots: int = 1024,
        parameters: Any = None,
        observables: Any = None,
        run_type: Literal["Run", "StatevectorRun"] = "Run",
        options: Mapping[str, Any] | None = None,
        use_mitigation: bool = False,
        dry_run: bool = False,
        name: str = "",
        description: str = "",
        experiment: str = "default",
        experiment_id: str | None = None,
    ) -> JobHandle:
        """Submit a run (run contract §3) and return a handle at once.

        Args:
            circuits: OpenQASM 2/3 text, a stored circuit id (`cir_…`), a
                `qiskit.QuantumCircuit`, or a list mixing these (stored ids first: they run
                before sources). Circuits are converted to OpenQASM here; their parameters keep
                their names.
            device_id: A device from `devices()`.
            circuit_ids: Stored circuits to run before `circuits`.
            shots: Shots per executable, 1..the device's max_shots (ignored by StatevectorRun).
            parameters: Parameter sets (run contract §4): for one circuit a set
                `[v1, v2]`, `{name: v}` or `{Parameter: v}`, a list of sets, a 2-D numpy array
                shaped [set, parameter], or a sweep `{name: array}`; for several circuits one
                such entry per circuit. Values by position follow the stored circuit's
                `parameter_names`, or `circuit.parameters` for a QuantumCircuit.
            observables: For one circuit an observable or a list of them; for several circuits
                one entry per circuit. An observable is a `SparsePauliOp`, a `Pauli`, a Pauli
                string (`"ZZ"`, rightmost letter on qubit 0), `[(label, coeff), ...]`, or the
                contract's `[labels, coeffs]`. Results become expectation values.
            run_type: `"Run"` samples shots; `"StatevectorRun"` simulates exactly.
            options: Credentials and runtime options the device accepts.
            use_mitigation: Apply the error mitigation that fits the device.
            dry_run: Validate, store, transpile and estimate cost without running.
            name: Job name (at most 200 characters).
            description: At most 1024 characters.
            experiment: The experiment to file the job under, created when new.
            experiment_id: An existing experiment's id (instead of `experiment`).

        Returns a `JobHandle`; `handle.result()` waits and returns a `RunResult`. Refused
        requests raise the contract's errors (`BadRequest` 400, `PaymentRequired` 402,
        `NotFound` 404) before anything is stored.
        """
        found = inputs.split_circuits(circuits, circuit_ids)
        request = parse(
            RunRequest,
            {
                "experiment_id": experiment_id or self._experiment_id(experiment),
                "circuit_ids": found.circuit_ids,
                "circuits_qasm": found.circuits_qasm,
                "device_id": device_id,
                "run_type": run_type,
                "shots": inputs.shots(shots),
                "parameters": inputs.parameters(parameters, found.exported),
                "observables": inputs.observables(observables),
                "options": inputs.plain(dict(options or {})),
                "use_mitigation": use_mitigation,
                "dry_run": dry_run,
                "name": name,
                "description": description,
            },
        )
        response = usecases.submit_run(self.app.services, self.user, request)
        if self._start_worker and response.status != JobStatus.DONE:  # a dry run is already done
            self.app.worker().notify()
        return JobHandle(self, response.job_id)

    def _experiment_id(self, name: str) -> str:
        if name not in self._experiment_ids:
            self._experiment_ids[name] = self.experiment(name).id
        return self._experiment_ids[name]

    def close(self) -> None:
        self.app.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
