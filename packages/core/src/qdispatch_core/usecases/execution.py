"""Executing a job: what a worker does with a job it has claimed (run contract §2, §5, §9).

Every write is a compare-and-set on the worker's lease, so a worker that lost its job (its
lease expired and another worker took over, or the user cancelled it) stops at its next write.
Remote jobs: provider job ids are stored before polling starts, so a restarted worker
re-attaches to them. Local simulations run in shards (usecases/shards.py), each stored as it
ends, so a restarted worker re-runs only the shards whose outputs are missing.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from qdispatch_core.domain import Circuit, Device, Job, JobStatus, RunType
from qdispatch_core.domain.jobs import Progress
from qdispatch_core.domain.lifecycle import advance, is_behind, with_log
from qdispatch_core.errors import LeaseLost, ProviderError, ProviderUnavailable, QDispatchError
from qdispatch_core.lru import LruCache
from qdispatch_core.ports import UnitOfWork
from qdispatch_core.ports.backend import Backend, Execution, JobSpec, RemoteState
from qdispatch_core.redaction import live_secrets
from qdispatch_core.rules.derivation import kept_outputs
from qdispatch_core.rules.plan import assemble
from qdispatch_core.rules.readout_errors import uncertainties_of
from qdispatch_core.usecases.jobs import finish_unstarted
from qdispatch_core.usecases.leases import LeaseKeeper
from qdispatch_core.usecases.services import Services
from qdispatch_core.usecases.specs import job_spec, plan_job, spec_circuit

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    worker_id: str
    lease_seconds: float = 30.0
    # After asking a provider to cancel, how many polls to wait for it to confirm.
    cancel_polls: int = 20
    # How long a provider may stay unreachable while a job is followed before it ends in Error.
    unavailable_grace: float = 900.0
    # Claims after the first that a job may take before it ends in Error: each means the
    # worker that held it stopped without finishing it (crashed, killed, lost its lease).
    crash_retries: int = 2
    # Local simulations: seconds of simulation a shard aims at.
    shard_seconds: float = 5.0
    # Local simulations: the wall-clock budget of one job's simulation, per device id, else
    # the default; `budget_hint` tells the user how to change it (the app names its settings).
    budget_seconds: float = 3600.0
    device_budgets: Mapping[str, float] = field(default_factory=dict)
    budget_hint: str = ""
    # How often a worker waiting on a shard looks for a cancel request (and at the budget).
    local_poll: float = 0.2
    # Whether idle threads run free shards of sweeps other workers (or threads) coordinate.
    share_shards: bool = True
    # Local jobs of one shard expected to simulate within this many seconds are run with no
    # write between their claim and their end (usecases/shards.py, `_run_unwritten`).
    quick_seconds: float = 0.5
    # A thread that claims such a job while others wait claims up to this many in all and
    # runs the quick ones together: one claim, one simulation round trip, one final
    # transaction (usecases/batches.py). 1: every job on its own.
    batch_jobs: int = 16
    # A thread woken by a submission waits this long before it claims, so that jobs submitted
    # in a stream gather into batches instead of each being claimed alone the moment it lands
    # (the way PostgreSQL's commit_delay gathers commits). Only while batch_jobs > 1.
    gather_seconds: float = 0.02
    # At most this many of a worker's threads run quick local jobs (alone or in batches) at
    # once; while they do, submissions wake no other thread: the busy ones claim the jobs
    # that landed meanwhile as their next batch. 0: no bound. (A stream of small jobs split
    # over more threads than cores ran in smaller batches, each costing its claim, issue 15.)
    quick_threads: int = 0

    def budget_for(self, device_id: str) -> float:
        return float(self.device_budgets.get(device_id, self.budget_seconds))


# Circuits a worker thread keeps after reading them (a sweep's few, a stream's one).
KNOWN_CIRCUITS = 64


def _nothing() -> None:
    pass


class CannotHelp(Exception):
    """This worker cannot run shards of a job another coordinates (it cannot prepare it)."""


class HandBack(Exception):
    """The worker is stopping: give the job back (lease cleared) for another worker."""


def scrub(text: str, secrets: Mapping[str, str]) -> str:
    """Remove credential values from text that may reach users or logs."""
    for value in secrets.values():
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text


def rebuild_spec(
    job: Job, circuits: Sequence[Circuit], provider_estimates: bool = False
) -> JobSpec:
    """The backend's view of a stored job (after a restart too): planned exactly as at
    submission (the same functions), given the same answer from `estimates_observables`."""
    plan = plan_job(job, [c.analytics.qubits for c in circuits], provider_estimates)
    return job_spec(job, [spec_circuit(c) for c in circuits], plan)


class JobRunner:
    """Claims jobs and drives each to a final status."""

    def __init__(
        self,
        services: Services,
        config: WorkerConfig,
        sleep: Callable[[float], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        keeper: LeaseKeeper | None = None,
    ) -> None:
        self.services = services
        self.config = config
        # Set when the worker stops: the job in hand is handed back at its next safe point.
        self.stopping = threading.Event()
        # Polling waits with `sleep` (by default: until the worker stops) and measures with
        # `monotonic`; tests inject both.
        self.sleep = sleep or self.stopping.wait
        self.monotonic = monotonic
        # Renews the leases of the jobs in hand from a thread of its own (the worker's).
        self.keeper = keeper
        self.cannot_help: set[str] = set()  # jobs whose shards this thread cannot run
        # Whether the last claim saw other jobs waiting behind the one it took: the worker
        # then wakes another thread.
        self.more_claimable = False
        # The jobs a batch ended besides the one `run` returns (usecases/batches.py).
        self.ended_alongside: list[Job] = []
        # Called when the job in hand turns out not to be quick local work (a remote job, a
        # bigger local one): the worker bounds only the threads at quick work
        # (WorkerConfig.quick_threads), and this thread no longer counts.
        self.not_quick: Callable[[], None] = _nothing
        # Each claimed job's sealed credentials and circuits, read in its claim's transaction
        # (one read transaction fewer per job, issue 15); taken by `_inputs`.
        self._claimed_inputs: dict[str, tuple[bytes | None, list[Circuit]]] = {}
        # The circuits this thread read lately, by (owner, id).
        self._known_circuits: LruCache[Circuit] = LruCache(maxsize=KNOWN_CIRCUITS)

    # -- claiming -----------------------------------------------------------------------

    def _lease_until(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.config.lease_seconds)

    def claim_next(self, skip: Sequence[str] = ()) -> Job | None:
        """Take the oldest claimable job, or None when there is nothing to do."""
        now = self.services.clock()
        with self.services.repository.read() as uow:
            candidates = [i for i in uow.jobs.claimable(now, 20) if i not in skip]
        self.more_claimable = False
        for position, job_id in enumerate(candidates):
            # Another thread of this process is taking or running it: no write lock for a
            # claim that would fail (after a wake-up, every idle thread reads the same list).
            if self.keeper is not None and not self.keeper.take(job_id):
                continue
            job = None
            try:
                job = self._claim(job_id, now)
            finally:
                if job is None and self.keeper is not None:
                    self.keeper.untake(job_id)
            if job is not None:
                self.more_claimable = position + 1 < len(candidates)
                return job  # `run` lets go of it in the keeper
        return None

    def _claim(self, job_id: str, now: datetime) -> Job | None:
        try:
            with self.services.repository.begin() as uow:
                job = self._claim_in(uow, job_id, now)
                uow.commit()
        except BaseException:
            self._claimed_inputs.pop(job_id, None)
            raise
        return job

    def _claim_in(self, uow: UnitOfWork, job_id: str, now: datetime) -> Job | None:
        before = uow.jobs.lease_owner(job_id)
        job = uow.jobs.claim(job_id, self.config.worker_id, now, self._lease_until(now))
        if job is None:
            return None
        return self._taken(uow, job, before, uow.secrets.get(job.id), now)

    def _claim_many_in(self, uow: UnitOfWork, job_ids: Sequence[str], now: datetime) -> list[Job]:
        """`_claim_in` for several jobs, in three statements whatever their number."""
        before = uow.jobs.lease_owners(job_ids)
        jobs = uow.jobs.claim_many(job_ids, self.config.worker_id, now, self._lease_until(now))
        sealed = uow.secrets.get_many([job.id for job in jobs])
        return [self._taken(uow, j, before.get(j.id), sealed.get(j.id), now) for j in jobs]

    def _taken(
        self, uow: UnitOfWork, job: Job, before: str | None, sealed: bytes | None, now: datetime
    ) -> Job:
        """A job just claimed (its lease owner before the claim: `before`), as this thread
        runs it; its inputs kept for `_inputs`."""
        if self._same_process(before):
            job = self._forgive_claim(uow, job)
        if job.status is JobStatus.SUBMITTED:
            # Initializing with its true time, written by the job's next write (Validating, a
            # layout, or a quick job's end, a moment later): one write fewer per job (issue
            # 15). Stored as Submitted and leased meanwhile, it is claimed, and cancelled, as
            # an Initializing one is.
            note = f"picked up by worker {self.config.worker_id}"
            job = advance(job, JobStatus.INITIALIZING, now, note)
        self._claimed_inputs[job.id] = (sealed, self._circuits_of(uow, job))
        return job

    def _circuits_of(self, uow: UnitOfWork, job: Job) -> list[Circuit]:
        """The job's circuits. A stored circuit never changes, so those this thread read for
        earlier jobs of the same owner are not read again (a stream of jobs of one circuit,
        a sweep resubmitted: one statement and its decoding fewer per job, issue 15)."""
        known, owner = self._known_circuits, job.owner_id
        missing = [i for i in job.circuit_ids if (owner, i) not in known]
        read = {c.id: c for c in uow.circuits.get_many(owner, missing)} if missing else {}

        def circuit(circuit_id: str) -> Circuit:
            found = read.get(circuit_id)  # evicted meanwhile (a job of many circuits): read it
            return found if found is not None else uow.circuits.get(owner, circuit_id)

        return [known.get_or_create((owner, i), partial(circuit, i)) for i in job.circuit_ids]

    def claim_more(self, after: Job, most: int) -> list[Job]:
        """Up to `most` more claimable jobs, taken in one transaction: the small jobs waiting
        behind a small job `after` run with it as a batch (usecases/batches.py)."""
        now = self.services.clock()
        with self.services.repository.read() as uow:
            candidates = [i for i in uow.jobs.claimable(now, most) if i != after.id]
        # Those another thread of this worker is claiming or running are left to it.
        taken = [i for i in candidates if self.keeper is None or self.keeper.take(i)]
        claimed: list[Job] = []
        try:
            with self.services.repository.begin() as uow:
                claimed = self._claim_many_in(uow, taken, now)
                uow.commit()
        except Exception:  # the first job runs on its own; these stay claimable
            log.exception("claiming a batch of jobs failed")
            claimed = []
            for job_id in taken:
                self._claimed_inputs.pop(job_id, None)
        finally:
            if self.keeper is not None:
                kept = {j.id for j in claimed}
                for job_id in taken:
                    if job_id not in kept:
                        self.keeper.untake(job_id)
        return claimed

    def give_back_unstarted(self, jobs: Sequence[Job]) -> None:
        """Give claimed jobs back untouched, in one transaction, for any worker to claim (a
        batch of small jobs met bigger ones): each is stored as it was before the claim,
        except that its status stays Initializing; the claim does not count as an attempt."""
        me = self.config.worker_id
        for job in jobs:
            self._claimed_inputs.pop(job.id, None)
        try:
            with self.services.repository.begin() as uow:
                for job in jobs:
                    back = replace(
                        job, lease_owner=None, lease_expires_at=None, attempts=job.attempts - 1
                    )
                    try:
                        uow.jobs.save(back, lease_owner=me)
                    except LeaseLost:
                        continue
                uow.commit()
        finally:
            if self.keeper is not None:
                for job in jobs:
                    self.keeper.untake(job.id)

    def help_next(self) -> bool:
        """Run free shards of a sweep another worker coordinates (shards are work any worker
        may take, docs/scale-out.md); False when there was none to run."""
        executor = self.services.executor
        if not self.config.share_shards or (executor is not None and not executor.has_room()):
            return False
        with self.services.repository.read() as uow:
            candidates = uow.shards.open_jobs(self.services.clock(), 5)
        candidates = [c for c in candidates if c not in self.cannot_help]
        return any(self.help(job_id) for job_id in candidates)

    def help(self, job_id: str) -> bool:
        """Help with one job: True when this worker ran (or tried) a shard of it."""
        job = self._read(job_id)
        if job.is_final or job.status is not JobStatus.RUNNING or job.cancel_requested:
            return False
        credentials: dict[str, str] = {}
        me = self.config.worker_id
        try:
            credentials, circuits = self._inputs(job)
            with live_secrets(credentials.values()):
                if self.keeper is None:
                    return _Run(self, job, credentials, circuits).help()
                with self.keeper.holding(job.id, me):
                    return _Run(self, job, credentials, circuits).help()
        except CannotHelp as exc:
            log.warning("job %s: cannot help with its shards: %s", job.id, exc)
            self.cannot_help.add(job.id)  # not asked again by this thread
            return False
        except LeaseLost as exc:
            log.info("job %s: stopped helping: %s", job.id, exc)
            self._release_shards(job.id)
            return True
        except HandBack:
            self._release_shards(job.id)
            return True
        except Exception as exc:
            failure = self._failure(job.id, exc, credentials)
        # A shard failed (the simulation raised, its process died): the job fails as when its
        # coordinator runs the shard; this worker takes the job's lease to end it.
        with self.services.repository.begin() as uow:
            uow.shards.release(job.id, me)
            taken = uow.jobs.take_over(job.id, me, self._lease_until(self.services.clock()))
            uow.commit()
        if taken:
            self._fail(job.id, failure)
        return True

    def _release_shards(self, job_id: str) -> None:
        with self.services.repository.begin() as uow:
            uow.shards.release(job_id, self.config.worker_id)
            uow.commit()

    def _same_process(self, lease_owner: str | None) -> bool:
        """Whether a lease belonged to a thread of this very process: worker ids are
        "<process name>/<thread>", and a live process did not crash."""
        process = self.config.worker_id.rpartition("/")[0]
        return bool(process and lease_owner and lease_owner.startswith(process + "/"))

    def _forgive_claim(self, uow: UnitOfWork, job: Job) -> Job:
        # The job's lease ran out under one of our own threads (starved, not dead): this claim
        # does not count towards the crash limit (`attempts` counts the claims that do).
        forgiven = replace(job, attempts=job.attempts - 1)
        uow.jobs.save(forgiven, lease_owner=self.config.worker_id)
        return forgiven

    # -- running ------------------------------------------------------------------------

    def run(self, job: Job) -> Job:
        """Drive a claimed job to a final status; returns the job as last written (other jobs
        a batch ended with it: `ended_alongside`)."""
        self.ended_alongside = []
        try:
            return self._run_claimed(job)
        finally:
            self._claimed_inputs.pop(job.id, None)  # a job given up never read them
            if self.keeper is not None:
                self.keeper.untake(job.id)

    def _run_claimed(self, job: Job) -> Job:
        if job.attempts > self.config.crash_retries + 1:  # the first claim, then the retries
            return self._give_up(job)
        credentials: dict[str, str] = {}
        try:
            credentials, circuits = self._inputs(job)
            # Masked in every log record (any library's) while this worker holds them.
            with live_secrets(credentials.values()):
                if self.keeper is None:
                    return _Run(self, job, credentials, circuits).execute()
                with self.keeper.holding(job.id, self.config.worker_id):
                    return _Run(self, job, credentials, circuits).execute()
        except LeaseLost:
            log.info("job %s: lease lost; another worker or the user took it over", job.id)
            return self._read(job.id)
        except HandBack:
            return self._hand_back(job.id)
        except Exception as exc:
            failure = self._failure(job.id, exc, credentials)
        # Outside the handler, so that an error while recording the failure does not carry
        # the original exception (and a credential in its message) as its context.
        return self._fail(job.id, failure)

    def _failure(self, job_id: str, exc: Exception, credentials: Mapping[str, str]) -> str:
        """What the user reads of an exception that ends a job (credentials scrubbed)."""
        if isinstance(exc, ProviderError | QDispatchError):
            message = str(exc)
        else:  # a bug or an SDK surprise: the user gets its type, the log its traceback
            # SDK errors may repeat a credential: the traceback is logged as scrubbed text,
            # never as exc_info, which a handler would format from the raw exception.
            trace = "".join(traceback.format_exception(exc)).rstrip()
            log.error("job %s failed:\n%s", job_id, scrub(trace, credentials))
            message = f"internal error ({type(exc).__name__}): {exc}"
        return scrub(message, credentials)

    def _give_up(self, job: Job) -> Job:
        """A job whose every worker died with it: likely the job kills them (a simulation that
        exhausts memory, a native crash), so it ends here instead of taking the next one down."""
        earlier = job.attempts - 1
        message = (
            f"gave up: the job was claimed {earlier} time{'s' if earlier != 1 else ''} before, "
            "and each time the worker stopped without finishing it (a crash, a kill or an "
            "expired lease); it may be what crashes them, so it is not run again (at most "
            f"{self.config.crash_retries} re-claims: QDISPATCH_JOB_CRASH_RETRIES)"
        )
        if job.provider_job_ids:
            message += f"; provider job(s) {', '.join(job.provider_job_ids)} were not followed"
        log.warning("job %s: %s", job.id, message)
        return self._fail(job.id, message)

    def _read(self, job_id: str) -> Job:
        with self.services.repository.read() as uow:
            return uow.jobs.get_for_worker(job_id)

    def _hand_back(self, job_id: str) -> Job:
        """Give the job back at once (lease cleared, its running shards pending again), so
        another worker takes it over without waiting for the lease to expire."""
        me = self.config.worker_id
        with self.services.repository.begin() as uow:
            job = uow.jobs.get_for_worker(job_id)
            if job.is_final or job.lease_owner != me:
                return job
            line = f"{self.services.clock().isoformat()} handed back by worker {me} (stopping)"
            # A clean hand-back is no crash: its claim does not count towards the give-up rule.
            job = replace(
                job,
                lease_owner=None,
                lease_expires_at=None,
                logs=(*job.logs, line),
                attempts=max(0, job.attempts - 1),
            )
            uow.shards.release(job_id, me)
            uow.jobs.save(job, lease_owner=me)
            uow.commit()
        log.info("job %s: handed back", job_id)
        return job

    def _inputs(self, job: Job) -> tuple[dict[str, str], list[Circuit]]:
        """The job's credentials and circuits: as read when this thread claimed it, else in
        one read (circuits never change; credentials are only stored with the job)."""
        sealed, circuits = self.claimed_inputs(job)
        return self._open(sealed), circuits

    def claimed_inputs(self, job: Job) -> tuple[bytes | None, list[Circuit]]:
        """The job's sealed credentials and circuits, read at its claim when it was ours."""
        claimed = self._claimed_inputs.pop(job.id, None)
        if claimed is not None:
            return claimed
        with self.services.repository.read() as uow:
            return uow.secrets.get(job.id), self._circuits_of(uow, job)

    def _open(self, sealed: bytes | None) -> dict[str, str]:
        if sealed is None:
            return {}
        try:
            opened: dict[str, str] = json.loads(self.services.cipher.open(sealed))
            return opened
        except ValueError:
            raise ProviderError(
                "the job's credentials cannot be decrypted: the worker's QDISPATCH_SECRET_KEY "
                "differs from the one used at submission"
            ) from None

    def _fail(self, job_id: str, message: str) -> Job:
        now = self.services.clock()
        with self.services.repository.begin() as uow:
            job = uow.jobs.get_for_worker(job_id)
            if job.is_final:
                return job
            try:
                ended = finish_unstarted(
                    uow,
                    replace(job, error=message),
                    JobStatus.ERROR,
                    now,
                    message,
                    lease_owner=self.config.worker_id,
                )
            except LeaseLost:
                return job
            uow.commit()
            return ended


class _Run:
    """One attempt at one job by one worker."""

    def __init__(
        self,
        runner: JobRunner,
        job: Job,
        credentials: dict[str, str],
        circuits: Sequence[Circuit],
    ) -> None:
        self.runner = runner
        self.services = runner.services
        self.me = runner.config.worker_id
        self.job = job
        self.credentials = credentials
        self.circuits = circuits
        self._unreachable_since: float | None = None
        # False once a local job is run without shard records: its end has none to delete.
        self.shards_written = True
        self.backend: Backend
        self.device: Device
        self.spec: JobSpec

    # -- writes -------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.services.clock()

    def _save(self, job: Job, also: Callable[[UnitOfWork], None] | None = None) -> Job:
        """Write the job (renewing its lease), and whatever `also` writes, in one transaction."""
        now = self._now()
        job = replace(job, lease_owner=self.me, lease_expires_at=self.runner._lease_until(now))
        with self.services.repository.begin() as uow:
            if also is not None:
                also(uow)
            uow.jobs.save(job, lease_owner=self.me)
            uow.commit()
        self.job = job
        return job

    def _to(self, status: JobStatus, note: str = "") -> None:
        if self.job.status is not status:
            self._save(advance(self.job, status, self._now(), note))

    def _stored(self) -> Job:
        with self.services.repository.read() as uow:
            return uow.jobs.get_for_worker(self.job.id)

    def _cancel_requested(self) -> bool:
        return self._stored().cancel_requested

    def _checkpoint(self) -> None:
        """A safe point to stop at: nothing is half-done at the provider."""
        if self.runner.stopping.is_set():
            raise HandBack()

    # -- steps --------------------------------------------------------------------------

    def execute(self) -> Job:
        if self.job.cancel_requested and not self.job.provider_job_ids:
            before = "" if self.job.progress.done else " before execution"
            return self._end_unstarted(JobStatus.CANCELLED, f"cancelled by the user{before}")
        self._prepare()
        if self.device.local:
            from qdispatch_core.usecases.shards import LocalJob

            local = LocalJob(self)
            if local.quick_seconds() is None:
                self.runner.not_quick()
            elif self._batches():
                from qdispatch_core.usecases.batches import run_batch

                return run_batch(self, local)
            return local.execute()
        self.runner.not_quick()
        if self.job.cancel_requested and not self.job.provider_job_ids:
            return self._end_unstarted(JobStatus.CANCELLED, "cancelled by the user")
        self._checkpoint()
        ids = self._start()
        state = self._follow(ids)
        return self._finish(ids, state)

    def _batches(self) -> bool:
        """Whether this fresh job may gather the small jobs waiting behind it into a batch."""
        runner = self.runner
        return runner.config.batch_jobs > 1 and runner.more_claimable and self.job.attempts <= 1

    def help(self) -> bool:
        """Run free shards of this Running local job, which another worker coordinates; True
        when there was a shard to run."""
        try:
            self._prepare()
        except Exception as exc:  # e.g. a provider this host lacks: the job is not at fault
            raise CannotHelp(f"{type(exc).__name__}: {exc}") from exc
        if not self.device.local:
            return False
        from qdispatch_core.usecases.shards import LocalJob

        local = LocalJob(self)
        if local.coordinating:  # our own lease: not a job to help with
            return False
        return local.help() is not None or local.ran

    def _prepare(self) -> None:
        if self.job.status is JobStatus.SUBMITTED:  # claimed by an older worker, resumed here
            self._to(JobStatus.INITIALIZING, f"picked up by worker {self.me}")
        circuits = self.circuits
        self.backend, self.device = self.services.backends.resolve(
            self.job.device_id, self.credentials
        )
        estimates = self.backend.estimates_observables(self.device, self.job.use_mitigation)
        self.spec = rebuild_spec(self.job, circuits, estimates)
        if self.job.status is JobStatus.INITIALIZING:
            if self.device.local:
                # Written, with its true time, by the layout's transaction a moment later: a
                # small local job costs one write fewer (issue 15).
                self.job = advance(self.job, JobStatus.VALIDATING, self._now())
            else:
                self._to(JobStatus.VALIDATING)
        self.backend.validate(self.device, self.spec)

    def _start(self) -> tuple[str, ...]:
        if self.job.provider_job_ids:
            known = ", ".join(self.job.provider_job_ids)
            self._save(with_log(self.job, self._now(), f"re-attached to provider job(s) {known}"))
            return self.job.provider_job_ids
        # Renews the lease, or raises LeaseLost when the job was cancelled (or taken over)
        # while the provider validated it: then nothing reaches the provider.
        self._save(self.job)
        ids = tuple(self.backend.submit(self.device, self.spec, self.credentials))
        job = replace(self.job, provider_job_ids=ids)
        if job.status is JobStatus.VALIDATING:
            job = advance(job, JobStatus.QUEUED, self._now(), f"provider job(s) {', '.join(ids)}")
        try:
            self._save(job)
        except LeaseLost:
            # Cancelled (or taken over) while we submitted: don't leave the provider running.
            self._best_effort_cancel(ids)
            raise
        return ids

    def _follow(self, ids: tuple[str, ...]) -> RemoteState:
        first, longest = self.backend.polling
        # Polls renew the lease, so they must come well before it expires.
        longest = min(longest, self.runner.config.lease_seconds / 3)
        interval = min(first, longest)
        cancel_polls = None
        while True:
            self._checkpoint()  # the provider's ids are stored: another worker re-attaches
            started = self.runner.monotonic()
            state = self._wait(ids, interval)
            if state is None:  # unreachable for now: keep the lease, ask again later
                self._save(self.job)
                self.runner.sleep(interval)
                interval = min(longest, interval * 1.5)
                continue
            if state.status.is_final:
                return state
            self._record(state)
            if cancel_polls is None and self._cancel_requested():
                self.backend.cancel(self.device, ids, self.credentials)
                self._save(with_log(self.job, self._now(), "cancellation sent to the provider"))
                cancel_polls = self.runner.config.cancel_polls
            elif cancel_polls is not None:
                cancel_polls -= 1
                if cancel_polls <= 0:
                    return RemoteState(
                        JobStatus.CANCELLED,
                        state.done,
                        "the provider did not confirm the cancellation",
                    )
            remaining = interval - (self.runner.monotonic() - started)
            if remaining > 0:
                self.runner.sleep(remaining)
            interval = min(longest, interval * 1.5)

    def _wait(self, ids: tuple[str, ...], interval: float) -> RemoteState | None:
        """The provider's state, or None while it is unreachable (within the grace period)."""
        try:
            state = self.backend.wait(self.device, ids, self.credentials, interval)
        except ProviderUnavailable as exc:
            now = self.runner.monotonic()
            if self._unreachable_since is None:
                self._unreachable_since = now
                message = scrub(str(exc), self.credentials)
                self._save(
                    with_log(self.job, self._now(), f"provider unreachable, retrying: {message}")
                )
            if now - self._unreachable_since > self.runner.config.unavailable_grace:
                raise ProviderError(
                    f"the provider stayed unreachable for "
                    f"{self.runner.config.unavailable_grace:.0f} s: {exc}"
                ) from None
            return None
        if self._unreachable_since is not None:
            self._unreachable_since = None
            self._save(with_log(self.job, self._now(), "provider reachable again"))
        return state

    def _record(self, state: RemoteState) -> None:
        job = self.job
        if state.status is JobStatus.RUNNING and job.status is JobStatus.QUEUED:
            job = advance(job, JobStatus.RUNNING, self._now())
        elif not is_behind(state.status, job.status) and state.status is not job.status:
            log.debug("job %s: provider reports %s while at %s", job.id, state.status, job.status)
        if state.done != job.progress.done:
            job = replace(
                job, progress=Progress(min(state.done, job.progress.total), job.progress.total)
            )
        lease_left = (
            (job.lease_expires_at - self._now()).total_seconds() if job.lease_expires_at else 0
        )
        if job is not self.job or lease_left < self.runner.config.lease_seconds * 2 / 3:
            self._save(job)  # also renews the lease

    def _finish(self, ids: tuple[str, ...], state: RemoteState) -> Job:
        if state.status is JobStatus.DONE:
            execution = self.backend.fetch(self.device, self.spec, ids, self.credentials)
            return self._end_done(execution)
        if state.status is JobStatus.CANCELLED:
            return self._end(JobStatus.CANCELLED, state.message or "cancelled", charge=None)
        message = state.message or "the provider reported an error without a message"
        return self._end(JobStatus.ERROR, scrub(message, self.credentials), charge=None, error=True)

    def _end_done(
        self,
        execution: Execution,
        ended_at: datetime | None = None,
        uow: UnitOfWork | None = None,
    ) -> Job:
        plan = self.spec.plan
        if len(execution.outputs) != len(plan.executables):
            raise ProviderError(
                f"the provider returned {len(execution.outputs)} results for "
                f"{len(plan.executables)} executables"
            )
        results, uncertainties = assemble(plan, execution.outputs, execution.uncertainties)
        uncertainties, mitigation = uncertainties_of(
            plan, uncertainties, execution.mitigation, execution.raw_outputs, execution.readout
        )
        raw = assemble(plan, execution.raw_outputs)[0] if execution.raw_outputs else None
        cost = execution.cost if execution.cost is not None else self.job.estimated_cost
        summary = plan.summary()
        ran = {"ran": execution.ran} if execution.ran else {}  # what ran (issue 23)
        job = replace(
            self.job,
            results=results,
            uncertainties=uncertainties,
            raw_results=raw,
            cost=cost,
            mitigation=mitigation,
            outputs=kept_outputs(plan, execution.outputs, execution.raw_outputs),
            plan={**(self.job.plan or {}), **summary, **ran},
            progress=Progress(len(plan.executables), len(plan.executables)),
            logs=(*self.job.logs, *(f"{self._now().isoformat()} {n}" for n in execution.notes)),
        )
        if self.job.status is JobStatus.QUEUED:
            job = advance(job, JobStatus.RUNNING, self._now())
        note = f"{summary['circuits_executed']} circuit(s) executed"
        if plan.run_type is RunType.RUN:
            note += f", {summary['total_shots']} shots"
        self.job = job
        return self._end(
            JobStatus.DONE, note, charge=cost.billable_usd if cost else 0.0, at=ended_at, uow=uow
        )

    def _end(
        self,
        status: JobStatus,
        note: str,
        charge: float | None,
        error: bool = False,
        at: datetime | None = None,
        uow: UnitOfWork | None = None,
    ) -> Job:
        """The final write, in `uow` when given (its caller commits), else in a transaction of
        its own. `at`: when the execution really ended, when known (a local simulation's last
        shard), else now."""
        job = self.job
        if error:
            job = replace(job, error=note)
        if status is not JobStatus.DONE:
            job = replace(job, results=None, uncertainties=None, raw_results=None)
        ended = advance(job, status, self._now(), note)
        if at is not None:
            ended = replace(ended, finished_at=max(at, ended.started_at or at))
        if uow is not None:
            self._write_end(uow, ended, charge)
        else:
            with self.services.repository.begin() as own:
                self._write_end(own, ended, charge)
                own.commit()
        self.job = ended
        return ended

    def _write_end(self, uow: UnitOfWork, ended: Job, charge: float | None) -> None:
        # The job first: a lost lease (LeaseLost) stops here, before anything else is written.
        uow.jobs.save(ended, lease_owner=self.me)
        if self.shards_written:
            uow.shards.delete(ended.id)
        # A job estimated free reserved nothing, and a charge only converts what was
        # reserved: nothing to settle, two statements fewer per free job (issue 15).
        if ended.estimated_cost is not None and ended.estimated_cost.billable_usd > 0:
            if charge:
                uow.billing.charge(ended.owner_id, ended.id, Decimal(str(charge)))
            uow.billing.release(ended.owner_id, ended.id)
        # Credentials are only ever stored with the job: a job that had none (every simulator
        # job) has none to delete (issue 15).
        if self.credentials:
            uow.secrets.delete(ended.id)

    def _end_unstarted(self, status: JobStatus, note: str) -> Job:
        with self.services.repository.begin() as uow:
            ended = finish_unstarted(uow, self.job, status, self._now(), note, lease_owner=self.me)
            uow.commit()
        return ended

    def _best_effort_cancel(self, ids: Sequence[str]) -> None:
        try:
            self.backend.cancel(self.device, ids, self.credentials)
        except Exception as exc:
            log.warning(
                "job %s: cancelling provider job(s) %s failed: %s",
                self.job.id,
                ", ".join(ids),
                scrub(str(exc), self.credentials),
            )
