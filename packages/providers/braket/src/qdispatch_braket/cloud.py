"""Jobs on Amazon Braket's cloud devices, through the SDK's own AwsDevice and AwsQuantumTask.

Everything needed later lives in the task ARNs `submit` returns: polling, fetching and
cancelling re-attach with fresh objects (after a restart too), in the region each ARN names.
Results are read back by position (batches.py), so nothing else needs remembering.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qdispatch_braket import mitigation as m
from qdispatch_braket import pricing, provenance
from qdispatch_braket import status as states
from qdispatch_braket.batches import braket_tasks, build
from qdispatch_braket.catalog import arn_key
from qdispatch_braket.devices import Capabilities, from_cloud_facts, from_properties
from qdispatch_braket.errors import as_provider_error
from qdispatch_braket.outputs import Reading, assemble, readings
from qdispatch_braket.programs import Compiler
from qdispatch_braket.sdk import require
from qdispatch_braket.session import SessionFactory, missing_keys, region_for, task_region
from qdispatch_braket.settings import DEFAULT_S3_PREFIX, RunSettings
from qdispatch_core.domain import Cost, Device, JobStatus, Shard
from qdispatch_core.errors import BadRequest, ProviderError
from qdispatch_core.ports.backend import (
    Execution,
    JobSpec,
    RemoteState,
    ShardResult,
    runs_at_provider,
)

log = logging.getLogger(__name__)
SENT_KEPT = 256  # submissions whose record of what ran waits for their fetch

Credentials = Mapping[str, str]


def decision_for(facts: Mapping[str, Any], spec: JobSpec) -> m.Decision:
    return m.decide(
        use_mitigation=spec.use_mitigation,
        local=False,
        simulator=bool(facts["simulator"]),
        vendor=str(facts["vendor"]),
        noisy=not facts["simulator"],
    )


@dataclass
class _Polled:
    at: float
    state: RemoteState


class CloudRunner:
    """What `BraketBackend` does for a cloud device: priced from the catalog, checked against
    the live device at submission, run as quantum tasks and followed by their ARNs;
    `run_shard` refuses it (`runs_at_provider`)."""

    plan_notes: tuple[str, ...] = (
        "Amazon Braket places and routes the circuits on the device when they run; "
        "the live device's gates and limits are checked at submission",
    )

    def __init__(
        self,
        compiler: Compiler,
        catalog: Mapping[str, Any],
        session_factory: SessionFactory,
        min_poll_seconds: float = 2.0,
    ) -> None:
        self.compiler = compiler
        self.catalog = catalog
        self.session_factory = session_factory
        self.min_poll_seconds = min_poll_seconds
        self._polled: dict[tuple[str, ...], _Polled] = {}
        # task ids -> what ran (provenance.what_ran), recorded at submission
        self._sent: OrderedDict[tuple[str, ...], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def facts(self, device: Device) -> Mapping[str, Any]:
        return self.catalog["cloud"][device.id]

    def capabilities(self, device: Device) -> Capabilities:
        return from_cloud_facts(self.facts(device))

    def decision(self, device: Device, spec: JobSpec) -> m.Decision:
        return decision_for(self.facts(device), spec)

    def missing_credentials(self, credentials: Credentials) -> tuple[str, ...]:
        return missing_keys(credentials)

    def estimate_cost(self, device: Device, spec: JobSpec) -> Cost:
        return pricing.estimate(
            self.facts(device), self.capabilities(device), spec, self.decision(device, spec)
        )

    def run_shard(self, device: Device, spec: JobSpec, shard: Shard) -> ShardResult:
        raise runs_at_provider(device)

    def _session(self, credentials: Credentials, region: str) -> Any:
        return self.session_factory(credentials, region)

    # -- submit -------------------------------------------------------------------------

    def submit(self, device: Device, spec: JobSpec, credentials: Credentials) -> tuple[str, ...]:
        facts = self.facts(device)
        doing = f"submitting to {device.id}"
        try:
            session = self._session(credentials, region_for(facts["region"], credentials))
            aws_device = require("braket.aws").AwsDevice(facts["arn"], aws_session=session)
            caps = from_properties(aws_device.properties)
            _check_live(device, aws_device, caps, spec)
            settings = RunSettings.resolve(spec.options)
            destination = _destination(session, settings)
        except (BadRequest, ProviderError):
            raise
        except Exception as exc:
            raise as_provider_error(exc, doing) from None
        decision = decision_for(facts, spec)
        workload = build(spec, caps, settings, decision, self.compiler)
        created: list[str] = []
        try:
            for task in braket_tasks(workload):
                created.append(self._create(aws_device, task, destination))
        except Exception as exc:
            self._abandon(created, credentials)
            raise as_provider_error(
                exc, f"creating quantum task {len(created) + 1} on {device.id}"
            ) from None
        # A QPU given virtual qubits places them itself (pinned programs name device qubits).
        pinned = decision.calibrates_in_task and caps.physical_qubits
        ran = provenance.what_ran(
            spec,
            device.id,
            workload,
            settings,
            placed_by_braket=not facts["simulator"] and not pinned,
        )
        self._remember(tuple(created), ran)
        return tuple(created)

    def _remember(self, ids: tuple[str, ...], ran: dict[str, Any]) -> None:
        """What a submission sent, for `fetch`: the programs depend on the device's
        properties at submission, which nothing stored keeps (bounded; lost on restart)."""
        with self._lock:
            self._sent[ids] = ran
            while len(self._sent) > SENT_KEPT:
                self._sent.popitem(last=False)

    def _abandon(self, created: Sequence[str], credentials: Credentials) -> None:
        """Cancel the tasks of a submission that failed half-way: nobody would follow them."""
        for arn in created:
            try:
                self._cancel_one(arn, credentials)
            except ProviderError as exc:
                log.warning("could not cancel task %s of a failed submission: %s", arn, exc)

    @staticmethod
    def _create(aws_device: Any, task: Any, destination: tuple[str, str]) -> str:
        kwargs: dict[str, Any] = {"shots": task.shots, "s3_destination_folder": destination}
        if task.device_parameters:
            kwargs["device_parameters"] = task.device_parameters
        # quiet: no queue-position calls while waiting (we never wait inside the SDK)
        return aws_device.run(task.specification, quiet=True, **kwargs).id

    # -- follow -------------------------------------------------------------------------

    def _task(self, arn: str, credentials: Credentials) -> Any:
        try:
            region = task_region(arn)
        except ValueError:
            raise ProviderError(f"unknown Amazon Braket task id {arn!r} (not a task ARN)") from None
        session = self._session(credentials, region)
        return require("braket.aws").AwsQuantumTask(arn, aws_session=session)

    def poll(self, device: Device, ids: Sequence[str], credentials: Credentials) -> RemoteState:
        key = tuple(ids)
        with self._lock:
            last = self._polled.get(key)
        if last is not None and time.monotonic() - last.at < self.min_poll_seconds:
            return last.state  # Braket rate-limits GetQuantumTask: don't ask too often
        state = self._poll_now(ids, credentials)
        with self._lock:
            self._polled[key] = _Polled(time.monotonic(), state)
            if state.status.is_final:
                self._polled.pop(key, None)
        return state

    def _poll_now(self, ids: Sequence[str], credentials: Credentials) -> RemoteState:
        found: list[JobStatus] = []
        message = None
        for arn in ids:
            task = self._task(arn, credentials)
            try:
                state = task.state()
                status = states.job_status(state)
                if status is JobStatus.ERROR and message is None:
                    reason = task.metadata(use_cached_value=True).get("failureReason")
                    message = f"Amazon Braket task {arn} failed: {reason or 'no reason given'}"
            except ProviderError:
                raise
            except Exception as exc:
                raise as_provider_error(exc, f"reading Amazon Braket task {arn}") from None
            found.append(status)
        combined = states.combined(found)
        if combined is JobStatus.ERROR:
            self._cancel_unfinished(ids, found, credentials)
        done = sum(1 for s in found if s is JobStatus.DONE)
        return RemoteState(combined, done, message if combined is JobStatus.ERROR else None)

    def _cancel_unfinished(
        self, ids: Sequence[str], found: Sequence[JobStatus], credentials: Credentials
    ) -> None:
        for arn, status in zip(ids, found, strict=True):
            if not status.is_final:
                self._cancel_one(arn, credentials)

    # -- results ------------------------------------------------------------------------

    def fetch(
        self, device: Device, spec: JobSpec, ids: Sequence[str], credentials: Credentials
    ) -> Execution:
        facts = self.facts(device)
        found: list[Reading] = []
        for arn in ids:
            task = self._task(arn, credentials)
            try:
                result = task.result()
            except Exception as exc:
                raise as_provider_error(exc, f"reading the results of task {arn}") from None
            if result is None:
                raise ProviderError(
                    f"Amazon Braket task {arn} has no results (it did not complete)"
                )
            found += readings(result)
        assembled = assemble(spec, found, decision_for(facts, spec))
        return Execution(
            outputs=assembled.outputs,
            cost=actual_cost(facts, len(ids), found, spec),
            mitigation=assembled.mitigation,
            raw_outputs=assembled.raw_outputs,
            readout=assembled.readout,
            notes=(f"{len(ids)} Amazon Braket task(s): {', '.join(ids)}",),
            ran=self._ran(device, spec, ids, found),
        )

    def _ran(
        self, device: Device, spec: JobSpec, ids: Sequence[str], found: Sequence[Reading]
    ) -> dict[str, Any] | None:
        """As recorded at submission; else (another process submitted the tasks) as the
        results name the programs, or None where they do not."""
        with self._lock:
            ran = self._sent.get(tuple(ids))
        if ran is not None:
            return ran
        settings = RunSettings.resolve(spec.options)
        ran = provenance.read_back(spec, device.id, settings, found)
        if ran is None:
            log.info(
                "no record of what ran for tasks %s: another process submitted them and "
                "their results do not name their programs",
                ", ".join(ids),
            )
        return ran

    # -- cancel -------------------------------------------------------------------------

    def cancel(self, device: Device, ids: Sequence[str], credentials: Credentials) -> None:
        for arn in ids:
            self._cancel_one(arn, credentials)

    def _cancel_one(self, arn: str, credentials: Credentials) -> None:
        task = self._task(arn, credentials)
        try:
            if states.job_status(task.state()).is_final:
                return  # nothing to stop; Braket refuses to cancel finished tasks
            task.cancel()
        except ProviderError:
            raise
        except Exception as exc:
            raise as_provider_error(exc, f"cancelling Amazon Braket task {arn}") from None


def _destination(session: Any, settings: RunSettings) -> tuple[str, str]:
    bucket = settings.s3_bucket or session.default_bucket()
    return bucket, settings.s3_prefix or DEFAULT_S3_PREFIX


def _check_live(device: Device, aws_device: Any, caps: Capabilities, spec: JobSpec) -> None:
    """What the catalog could not know: the device's state and its real limits."""
    if aws_device.status != "ONLINE":
        raise ProviderError(
            f"{device.id} is {aws_device.status} on Amazon Braket: try again later or pick "
            "another device"
        )
    if spec.plan.output_kind == "counts" and not caps.min_shots <= spec.shots <= (
        caps.max_shots or spec.shots
    ):
        raise BadRequest(
            f"shots: {device.id} accepts {caps.min_shots}..{caps.max_shots} shots per task "
            f"today, got {spec.shots}",
            field="shots",
        )
    widest = max(c.qubits for c in spec.plan.circuits)
    if widest > caps.qubits:
        raise BadRequest(f"{device.id} has {caps.qubits} qubits today; a circuit has {widest}")


def actual_cost(
    facts: Mapping[str, Any], tasks: int, found: Sequence[Reading], spec: JobSpec
) -> Cost | None:
    """What the tasks cost: QPUs from tasks and shots run; simulators from the simulated
    time Braket reports (None, so the estimate stands, when it reports none)."""
    key = arn_key(facts["arn"])
    if facts["simulator"]:
        durations = [r.duration_ms for r in found]
        if any(d is None for d in durations):
            return None
        seconds = [float(d) / 1000 for d in durations if d is not None]
        usd = pricing.simulator_usd(key, seconds)
        billed = sum(pricing.billed_seconds(s) for s in seconds)
        return None if usd is None else Cost.priced(billed, "s", usd)
    shots = spec.shots * len(found)
    usd = pricing.qpu_usd(key, tasks, shots)
    if usd is None:
        return Cost.unavailable(pricing.UNPRICED_REASON.format(name=facts["name"]))
    return Cost.priced(shots, "shots", usd)
