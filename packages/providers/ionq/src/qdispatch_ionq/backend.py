"""The IonQ provider: IonQ's cloud simulator and QPUs through cirq-ionq, behind the core's
Backend protocol.

Nothing here imports cirq until a circuit is compiled, so listing devices stays instant and
offline (without credentials). Jobs are IonQ's: `submit` returns IonQ job ids, and every later
call re-attaches to them with fresh clients built from the job's credentials.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from qdispatch_core.domain import Cost, Device, JobStatus
from qdispatch_core.errors import BadRequest, ProviderError
from qdispatch_core.listing import AccountListings
from qdispatch_core.ports.backend import Backend, DevicePlan, Execution, JobSpec, RemoteState
from qdispatch_core.ports.backend_settings import BackendSettings
from qdispatch_core.rules.plan import Executable
from qdispatch_ionq import calibration, checks, cloud, devices, mitigation, outputs, provenance
from qdispatch_ionq.batches import Batch, split
from qdispatch_ionq.pricing import CircuitSize, CostBook, actual
from qdispatch_ionq.programs import Compiler, Program, basis_of
from qdispatch_ionq.session import KEY_OPTION, Connection, IonQApi, api_key, remote_host
from qdispatch_ionq.settings import RunSettings, sampling_seed
from qdispatch_qiskit.readout import Calibration

log = logging.getLogger(__name__)

Credentials = Mapping[str, str]
ACCOUNT_DEVICES_TTL = 300.0
# One GET of the account's backends on the request path: a short timeout and no retry.
LISTING_TIMEOUT_S = 5.0


class IonQBackend(Backend):
    """`ionq_simulator`, `ionq_qpu_forte_1`, `ionq_qpu_forte_enterprise_1` and any other QPU the
    account lists. `remote_host` (else the settings' `ionq_host`, QDISPATCH_IONQ_HOST) points
    the client elsewhere, e.g. at a test server; `max_retry_seconds` bounds how long one call
    keeps retrying IonQ; `max_circuits_per_job` caps the circuits of one multi-circuit job."""

    provider = "ionq"
    polling = (2.0, 30.0)  # IonQ queues are minutes to days long; don't hammer its API

    def __init__(
        self,
        *,
        settings: BackendSettings | None = None,
        remote_host: str | None = None,
        max_retry_seconds: int = 30,
        max_circuits_per_job: int = 100,
        http_timeout: float = 30.0,
    ) -> None:
        self.host = _resolve_host(remote_host or (settings or BackendSettings()).ionq_host)
        self.max_retry_seconds = max_retry_seconds
        self.max_circuits_per_job = max_circuits_per_job
        self.http_timeout = http_timeout
        self._static = devices.static_devices()
        self._listings: AccountListings[tuple[Device, ...]] = AccountListings(
            ttl=ACCOUNT_DEVICES_TTL
        )
        self._compiler: Compiler | None = None
        self._costs = CostBook(self.host)

    @property
    def compiler(self) -> Compiler:
        if self._compiler is None:
            self._compiler = Compiler()
        return self._compiler

    def _connection(self, credentials: Credentials | None) -> Connection:
        return Connection.open(
            credentials,
            self.host,
            max_retry_seconds=self.max_retry_seconds,
            timeout=self.http_timeout,
        )

    # -- devices ----------------------------------------------------------------------------

    def list_devices(self, credentials: Credentials | None = None) -> Sequence[Device]:
        """The catalog; with an API key (in options or IONQ_API_KEY), the account's backends:
        one short try (no retries, `LISTING_TIMEOUT_S`), shared by concurrent callers and
        remembered (`AccountListings`), else the catalog — a run with credentials resolves its
        device here, on the request path. The same rule as every provider with account
        listings."""
        if not api_key(credentials or {}):
            return list(self._static)
        connection = self._connection(credentials)
        listing = Connection(
            connection.host, connection.key, max_retry_seconds=0, timeout=LISTING_TIMEOUT_S
        )
        try:
            listed = self._listings.get(
                connection.fingerprint,
                lambda: tuple(devices.account_devices(IonQApi(listing).backends())),
            )
        except Exception as exc:  # listing must work while IonQ is unreachable
            log.warning("IonQ's backend list is unavailable (%s); using the catalog", exc)
            return list(self._static)
        if listed is None:
            log.warning(
                "IonQ did not list the account's backends within %g s (or failed to lately); "
                "using the catalog",
                self._listings.wait,
            )
            return list(self._static)
        return list(listed)

    def missing_credentials(self, device: Device, credentials: Credentials) -> tuple[str, ...]:
        return () if api_key(credentials) else (KEY_OPTION,)

    # -- classical steps ----------------------------------------------------------------------

    def validate(self, device: Device, spec: JobSpec) -> None:
        settings = RunSettings.resolve(spec.options)
        checks.check_mitigation(device, spec)
        if device.simulator and settings.noisy_simulation:
            limit = settings.simulator_qubits()
            widest = max(c.analytics.qubits for c in spec.circuits)
            if widest > limit:
                raise BadRequest(
                    f"options['noise_model']: {settings.noise_model!r} simulates a QPU of "
                    f"{limit} qubits, and a circuit has {widest}",
                    field="options['noise_model']",
                )
        calibrating = bool(mitigation.calibrations(device, spec, settings))
        for e in spec.plan.executables:  # shaping is Qiskit only: no cirq at request time
            shaped = self.compiler.shaped(spec, e.circuit, basis_of(spec, e), settings)
            if calibrating:
                checks.check_correctable(device, shaped.sources, f"circuit {e.circuit + 1}")

    def _programs(self, spec: JobSpec, settings: RunSettings) -> list[Program]:
        return [self.compiler.program(spec, e, settings) for e in spec.plan.executables]

    def estimate_cost(
        self, device: Device, spec: JobSpec, *, credentials: Credentials | None = None
    ) -> Cost:
        """The simulator is free; a QPU job is priced at the account's rates from IonQ's
        estimate endpoint (key: the job's option, else the environment), else the published
        table (see pricing.py)."""
        settings = RunSettings.resolve(spec.options)
        if device.simulator:
            return _simulator_cost(device, spec, settings)
        sizes = [CircuitSize(p.gates_1q, p.gates_2q) for p in self._programs(spec, settings)]
        qubits = max(c.analytics.qubits for c in spec.circuits)
        debiased = mitigation.debiased(device, spec)
        return self._costs.estimate(
            _target(device), debiased, sizes, qubits, spec.shots, credentials
        )

    def prepare(self, device: Device, spec: JobSpec) -> DevicePlan:
        settings = RunSettings.resolve(spec.options)
        facts = []
        for i in range(len(spec.circuits)):
            first = next(e for e in spec.plan.executables if e.circuit == i)
            program = self.compiler.program(spec, first, settings)
            facts.append(
                {
                    "index": i,
                    "transpiled_depth": program.depth,
                    "transpiled_2q_gates": program.gates_2q,
                    "transpiled_1q_gates": program.gates_1q,
                }
            )
        note = (
            f"compiled for IonQ's QIS gateset (Qiskit optimization_level "
            f"{settings.optimization_level}, then cirq-ionq's IonQTargetGateset)"
        )
        return DevicePlan(tuple(facts), (note,))

    # -- execution ------------------------------------------------------------------------

    def _batches(self, device: Device, spec: JobSpec, settings: RunSettings) -> list[Batch]:
        calibrations = mitigation.calibrations(device, spec, settings)
        return split(spec.plan, self.max_circuits_per_job, calibrations)

    def _calibration_programs(self, spec: JobSpec, settings: RunSettings) -> dict[bool, Program]:
        qubits = calibration.calibrated_qubits(spec, settings, self.compiler)
        return {
            ones: self.compiler.calibration(qubits, ones, settings)
            for ones in calibration.CALIBRATION_CIRCUITS
        }

    def _batch_programs(self, spec: JobSpec, batch: Batch, settings: RunSettings) -> list[Program]:
        programs = [self.compiler.program(spec, e, settings) for e in batch.executables]
        if batch.calibrations:
            calibrations = self._calibration_programs(spec, settings)
            programs += [calibrations[ones] for ones in batch.calibrations]
        return programs

    def submit(self, device: Device, spec: JobSpec, credentials: Credentials) -> tuple[str, ...]:
        connection = self._connection(credentials)
        settings = RunSettings.resolve(spec.options)
        batches = self._batches(device, spec, settings)
        ids: list[str] = []
        try:
            for batch in batches:
                programs = self._batch_programs(spec, batch, settings)
                name = f"qdispatch {spec.job_id}"
                if len(batches) > 1:
                    name += f" part {batch.index + 1} of {len(batches)}"
                ids.append(
                    cloud.create(
                        connection,
                        batch,
                        programs,
                        target=_target(device),
                        shots=spec.shots,
                        name=name,
                        settings=_job_settings(device, spec, settings, batch),
                    )
                )
        except Exception:
            cloud.cancel_quietly(connection, ids)  # no half-submitted job keeps running
            raise
        log.info("job %s: IonQ job(s) %s on %s", spec.job_id, ", ".join(ids), device.id)
        return tuple(ids)

    def poll(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> RemoteState:
        connection = self._connection(credentials)
        state = cloud.state(IonQApi(connection), job_ids)
        if state.status in (JobStatus.ERROR, JobStatus.CANCELLED) and len(job_ids) > 1:
            # One IonQ job failed or was cancelled: its siblings would run (and bill) for nothing.
            cloud.cancel_quietly(connection, job_ids)
        return state

    def fetch(
        self, device: Device, spec: JobSpec, job_ids: Sequence[str], credentials: Credentials
    ) -> Execution:
        settings = RunSettings.resolve(spec.options)
        batches = self._batches(device, spec, settings)
        if len(batches) != len(job_ids):
            raise ProviderError(
                f"the job has {len(job_ids)} IonQ job id(s) but its plan makes {len(batches)} "
                "IonQ jobs; it cannot be matched up"
            )
        api = IonQApi(self._connection(credentials))
        mode = mitigation.output_mode(device, spec, settings)
        sharpen = mitigation.sharpen(device, spec)
        results: list[tuple[Executable, Program, Mapping[str, float], str]] = []
        calibration_histograms: dict[bool, Mapping[str, float]] = {}
        for batch, job_id in zip(batches, job_ids, strict=True):
            found = cloud.histograms(api, job_id, batch, sharpen)
            mine, extra = found[: len(batch.executables)], found[len(batch.executables) :]
            for e, histogram in zip(batch.executables, mine, strict=True):
                results.append((e, self.compiler.program(spec, e, settings), histogram, job_id))
            calibration_histograms.update(zip(batch.calibrations, extra, strict=True))
        measured = None
        if mode == outputs.CORRECTED:
            measured = calibration.from_histograms(
                calibration_histograms[calibration.ZEROS],
                calibration_histograms[calibration.ONES],
                self._calibration_programs(spec, settings),
                spec.shots,
            )
        values: list[Any] = []
        raw: list[Any] = []
        rates: list[Any] = []
        gate_shots = 0
        for e, program, histogram, job_id in results:
            gate_shots += (program.gates_1q + program.gates_2q) * spec.shots
            probabilities = outputs.marginal(histogram, program.sources)
            if measured is not None:
                values.append(calibration.corrected(histogram, program.sources, measured))
                raw.append(outputs.frequency_counts(probabilities, spec.shots))
                rates.append(calibration.bit_rates(program.sources, measured))
            else:
                values.append(_output(mode, probabilities, spec, settings, job_id, e.index))
        cost = self._actual_cost(device, spec, settings, api, job_ids, gate_shots)
        return Execution(
            outputs=values,
            cost=cost,
            mitigation=mitigation.record(device, spec, settings, measured),
            raw_outputs=raw or None,
            readout=rates or None,
            ran=provenance.what_ran(
                device.id,
                [(e, program) for e, program, _, _ in results],
                [c.qubits for c in spec.plan.circuits],
                settings,
            ),
            notes=_notes(device, spec, settings, mode, cost, measured),
        )

    def _actual_cost(
        self,
        device: Device,
        spec: JobSpec,
        settings: RunSettings,
        api: IonQApi,
        job_ids: Sequence[str],
        gate_shots: int,
    ) -> Cost | None:
        if device.simulator:
            return _simulator_cost(device, spec, settings)
        return actual(api, job_ids, gate_shots)

    def cancel(self, device: Device, job_ids: Sequence[str], credentials: Credentials) -> None:
        connection = self._connection(credentials)
        for job_id in job_ids:
            cloud.cancel(connection, job_id)


def _resolve_host(configured: str | None) -> str:
    try:
        return remote_host(configured)
    except ValueError as exc:
        raise ValueError(f"IonQ provider: {exc}") from None


def _target(device: Device) -> str:
    known = next((e.target for e in devices.CATALOG if e.device_id == device.id), None)
    return known or device.id.removeprefix("ionq_").replace("_", "-").replace("qpu-", "qpu.", 1)


def _simulator_cost(device: Device, spec: JobSpec, settings: RunSettings) -> Cost:
    """Free: counted in the shots simulated, readout calibration circuits included."""
    calibration_shots = len(mitigation.calibrations(device, spec, settings)) * spec.shots
    return Cost.free("shots", spec.plan.total_shots + calibration_shots)


def _job_settings(
    device: Device, spec: JobSpec, settings: RunSettings, batch: Batch
) -> dict[str, Any]:
    """Keyword arguments of Service.create_job beyond the circuit, shots, name and target."""
    metadata = {"qdispatch_job": spec.job_id}
    if batch.calibrations:  # so that progress counts only the plan's executables
        metadata[calibration.METADATA_KEY] = str(len(batch.calibrations))
    job: dict[str, Any] = {"metadata": metadata}
    error_mitigation = mitigation.error_mitigation_setting(device, spec)
    if error_mitigation is not None:
        job["error_mitigation"] = error_mitigation
    noise = settings.noise() if device.simulator else None
    if noise is not None:
        job["noise"] = noise
    return job


def _output(
    mode: str,
    probabilities: Mapping[str, float],
    spec: JobSpec,
    settings: RunSettings,
    job_id: str,
    executable: int,
) -> dict[str, Any]:
    if mode == outputs.QUASI:
        return outputs.quasi_probabilities(probabilities)
    if mode == outputs.FREQUENCIES:
        return outputs.frequency_counts(probabilities, spec.shots)
    base = settings.seed_simulator if settings.seed_simulator is not None else job_id
    return outputs.sample_counts(probabilities, spec.shots, sampling_seed(base, executable))


def _notes(
    device: Device,
    spec: JobSpec,
    settings: RunSettings,
    mode: str,
    cost: Cost | None,
    measured: Calibration | None = None,
) -> tuple[str, ...]:
    notes: list[str] = []
    if mode == outputs.SAMPLE:
        seeded = (
            f"seed_simulator {settings.seed_simulator}"
            if settings.seed_simulator is not None
            else "seeds derived from the IonQ job ids"
        )
        notes.append(
            "IonQ's ideal simulator returns exact probabilities, not shots: qdispatch sampled "
            f"{spec.shots} shots per circuit from them ({seeded})"
        )
    elif device.simulator:
        notes.append(
            f"IonQ simulated noise model {settings.noise_model!r} with {spec.shots} shots per "
            "circuit; counts are its frequencies times the shots"
        )
        if measured is not None:
            notes.append(
                "readout-error mitigation: two calibration circuits (qubits "
                f"{', '.join(map(str, sorted(measured.rates)))} prepared all 0, then all 1) ran "
                "after the job's circuits, in its last IonQ job; results are the corrected "
                "quasi-probabilities, the counts are in raw_results"
            )
    elif mode == outputs.QUASI:
        notes.append(
            "results are IonQ's debiased distribution (quasi-probabilities averaged over "
            "symmetrised circuit variants); IonQ returns no raw counts for debiased jobs"
        )
    notes.extend(mitigation.notes(device, spec))
    if cost is None and not device.simulator:
        notes.append("IonQ reported no cost in USD for this job; the estimate stands")
    return tuple(notes)
