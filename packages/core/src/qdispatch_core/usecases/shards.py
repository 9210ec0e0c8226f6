"""A local simulation, shard by shard (docs/workers.md, "Shards").

The worker never simulates: each shard runs in a child process of the executor while this
thread waits, watching for a cancel request, the job's wall-clock budget and the worker's own
stop. Each finished shard is stored at once with the job's progress, in one transaction, so a
worker that takes the job over re-runs only the shards without stored outputs. When every shard
is stored, the backend finishes the job (mitigation, notes) and the results are assembled from
the shards' outputs exactly as from a provider's.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from qdispatch_core.domain import Job, JobStatus, Shard, ShardRecord, ShardStatus
from qdispatch_core.domain.jobs import Progress
from qdispatch_core.domain.lifecycle import advance, with_log
from qdispatch_core.errors import LeaseLost, ProviderError
from qdispatch_core.ports import UnitOfWork
from qdispatch_core.ports.backend import Execution, ShardResult
from qdispatch_core.ports.executor import LocalExecutor, LocalRun, LocalWork
from qdispatch_core.rules.shards import layout, shard_size
from qdispatch_core.usecases.execution import HandBack, scrub
from qdispatch_core.usecases.services import utcnow

if TYPE_CHECKING:
    from qdispatch_core.usecases.execution import _Run

log = logging.getLogger(__name__)


class _Ended(Exception):
    """The job reached a final status while a shard ran (cancelled, over budget)."""

    def __init__(self, job: Job) -> None:
        self.job = job


def _executor(attempt: _Run) -> LocalExecutor:
    executor = attempt.services.executor
    if executor is None:
        from qdispatch_core.usecases.local_work import ThreadExecutor

        executor = ThreadExecutor()
    return executor


class LocalJob:
    def __init__(self, attempt: _Run) -> None:
        self.a = attempt
        self.executor = _executor(attempt)
        self.total = len(attempt.spec.plan.executables)
        self.budget = attempt.runner.config.budget_for(attempt.device.id)
        self.spent = 0.0  # seconds of simulation already stored for this job
        self.last_end: datetime | None = None
        # Whether this attempt moved the job to Running: then its first stored shard's start
        # (in the simulation process) is when the execution began.
        self.began_here = False
        self.ran = False  # whether this attempt claimed a shard
        self.first_claim: ShardRecord | None = None  # claimed with the layout
        self.single = False  # a fresh job of one shard
        self.unstored: ShardResult | None = None  # that shard's result, kept for the finish
        # The services' clock minus the real time: zero but in tests. Children stamp shards
        # with the real time; the job's times are on the services' clock.
        self.shift: timedelta = attempt._now() - utcnow()

    # -- the steps ------------------------------------------------------------------------

    @property
    def coordinating(self) -> bool:
        """Whether this attempt holds the job's lease (it laid the shards out, or took the
        job over); otherwise it helps: it runs shards of a job another worker coordinates."""
        return self.a.job.lease_owner == self.a.me

    def execute(self) -> Job:
        """The coordinator: runs free shards, then waits for those other workers run, then
        finishes the job (unless the worker storing the last shard finishes it)."""
        records = self._layout()
        self.spent = sum(r.seconds for r in records)
        try:
            while True:
                if self._run_free_shards():
                    return self._finish()  # this attempt stored the last shard
                if self._tally()[1] == 0:
                    self._check_job(None)  # a helper that stored the last shard finishes
                    return self._finish()
                self._wait_for_others()
        except _Ended as ended:
            return ended.job

    def help(self) -> Job | None:
        """A helper: runs free shards of a Running job; finishes the job when it stores the
        last shard (the job's lease is then its own). None when it ran out of free shards."""
        with self.a.services.repository.read() as uow:
            self.spent = sum(r.seconds for r in uow.shards.list(self.a.job.id))
        try:
            if self._run_free_shards():
                return self._finish()
            return None
        except _Ended as ended:
            return ended.job

    def _run_free_shards(self) -> bool:
        """Claim and run free shards one at a time until none is left; True when this attempt
        stored the job's last shard."""
        while (record := self._claim_next()) is not None:
            if self._run(record):
                return True
        return False

    def _tally(self) -> tuple[int, int]:
        with self.a.services.repository.read() as uow:
            return uow.shards.tally(self.a.job.id)

    def _wait_for_others(self) -> None:
        """Every shard left is running elsewhere: watch the job (a cancel request, a lost
        lease, the last shard stored by a helper, which then holds the lease) until a shard
        is stored or comes free (its worker died: its lease expires)."""
        a = self.a
        a._checkpoint()
        self._check_job(None)
        a.runner.sleep(a.runner.config.local_poll)

    def _layout(self) -> list[ShardRecord]:
        a = self.a
        # A Validating job has no shards: they are laid out in the transaction that moves it
        # on (below). Only a job past Validating can have some to resume: one read fewer for
        # every fresh job (issue 15).
        if a.job.status is not JobStatus.VALIDATING:
            with a.services.repository.read() as uow:
                records = uow.shards.list(a.job.id)
            if records:
                self._log_resume(records)
                return records
        shards, size, seconds = self._shards()
        note = f"{len(shards)} shard(s) of up to {size} executable(s)"
        if len(shards) == 1 and seconds * self.total <= a.runner.config.quick_seconds:
            return self._run_unwritten(shards[0], note)
        now = a._now()
        job = replace(a.job, progress=Progress(0, self.total))
        job = (
            advance(job, JobStatus.QUEUED, now, note) if job.status is JobStatus.VALIDATING else job
        )
        # The first shard is claimed, and the job Running, in the same transaction as the
        # layout: a small job costs fewer writes (issue 15).
        if job.status is JobStatus.QUEUED:
            job = advance(job, JobStatus.RUNNING, now)
            self.began_here = True
        first = shards[0]

        def create_and_claim(uow: UnitOfWork) -> None:
            uow.shards.create(a.job.id, shards)
            self.first_claim = uow.shards.claim(
                a.job.id, first.index, a.me, now, a.runner._lease_until(now)
            )

        a._save(job, also=create_and_claim)
        if self.first_claim is not None:
            self.ran = True
            log.info("job %s: shard %d started by worker %s", a.job.id, first.index, a.me)
        # A job of one shard is finished straight from its outputs: no separate store.
        self.single = len(shards) == 1
        return [ShardRecord(a.job.id, s) for s in shards]

    def _shards(self) -> tuple[list[Shard], int, float]:
        """The job's shards, their size and the estimated seconds of one executable."""
        a = self.a
        seconds = a.backend.seconds_per_executable(a.device, a.spec)
        size = shard_size(self.total, seconds, a.runner.config.shard_seconds)
        return layout(self.total, size), size, seconds

    def quick_seconds(self) -> float | None:
        """The estimated simulation time of a fresh job that runs in one go with no write
        before its end (`_run_unwritten`); None for any other job."""
        a = self.a
        if a.job.status is not JobStatus.VALIDATING or a.job.cancel_requested:
            return None
        shards, _, seconds = self._shards()
        estimate = seconds * self.total
        if len(shards) != 1 or estimate > a.runner.config.quick_seconds:
            return None
        return estimate

    def start_unwritten(self) -> LocalWork:
        """Lay out a quick job (see `quick_seconds`) as `_run_unwritten` does, and give the
        work that runs it: for a batch of small jobs (usecases/batches.py)."""
        records = self._layout()
        assert self.single and not self.a.shards_written, "not a quick job"
        a = self.a
        return LocalWork(a.backend.provider, a.device.id, a.spec, a.credentials, records[0].shard)

    def take(self, result: ShardResult) -> None:
        """Keep the one shard's result of a job this attempt coordinates, for its finish."""
        a = self.a
        if result.started_at is not None and result.finished_at is not None:
            result = replace(
                result,
                started_at=result.started_at + self.shift,
                finished_at=result.finished_at + self.shift,
            )
        self.unstored = result
        if self.began_here and result.started_at is not None:
            a.job = replace(a.job, started_at=result.started_at)
        self.last_end = result.finished_at

    def _run_unwritten(self, shard: Shard, note: str) -> list[ShardRecord]:
        """A fresh job of one shard expected to simulate in well under a second: nothing is
        written before it runs (no shard record, no status change). Its final write records
        Validating, Queued and Running at their true times with Done: two writes for a small
        job instead of three, and four statements fewer (issue 15). Its lease is renewed by
        the lease keeper; a crash re-runs the job from the start, as it would re-run any
        unstored shard."""
        a = self.a
        now = a._now()
        job = replace(a.job, progress=Progress(0, self.total))
        # A job taken over past Validating with no shard records (walked on by a worker of a
        # release before quick jobs, then lost) only moves on from where it is.
        if job.status is JobStatus.VALIDATING:
            job = advance(job, JobStatus.QUEUED, now, note)
        if job.status is not JobStatus.RUNNING:
            job = advance(job, JobStatus.RUNNING, now)
        a.job = job
        a.shards_written = False  # the final write has no shard records to delete
        self.began_here = True
        self.single = True
        self.ran = True
        self.first_claim = ShardRecord(a.job.id, shard, ShardStatus.RUNNING, lease_owner=a.me)
        log.info("job %s: run in one go by worker %s", a.job.id, a.me)
        return [self.first_claim]

    def _log_resume(self, records: list[ShardRecord]) -> None:
        a = self.a
        stored = [r for r in records if r.status is ShardStatus.DONE]
        done = sum(r.shard.count for r in stored)
        note = (
            f"resumed by worker {a.me}: {len(stored)} of {len(records)} shard(s) recovered "
            f"from storage ({done} of {self.total} executables), "
            f"{len(records) - len(stored)} to run"
        )
        job = replace(a.job, progress=Progress(done, self.total))
        a._save(with_log(job, a._now(), note))

    def _claim_next(self) -> ShardRecord | None:
        """Claim the first free shard (PENDING, or RUNNING under an expired lease): a
        compare-and-set per shard, so two workers never hold one shard at once."""
        a = self.a
        a._checkpoint()
        if self.first_claim is not None:
            first, self.first_claim = self.first_claim, None
            return first
        self._check_job(None)  # no new shard once the job is cancelled, ended or taken over
        now = a._now()
        with a.services.repository.read() as uow:
            records = uow.shards.list(a.job.id)
        for record in records:
            expired = record.lease_expires_at is None or record.lease_expires_at <= now
            if record.status is ShardStatus.DONE or (
                record.status is ShardStatus.RUNNING and not expired
            ):
                continue
            with a.services.repository.begin() as uow:
                claimed = uow.shards.claim(
                    a.job.id, record.index, a.me, now, a.runner._lease_until(now)
                )
                uow.commit()
            if claimed is not None:
                self.ran = True
                log.info("job %s: shard %d started by worker %s", a.job.id, record.index, a.me)
                return claimed
        return None

    def _run(self, record: ShardRecord) -> bool:
        """Run one claimed shard and store it; True when it was the job's last."""
        a = self.a
        if self.coordinating and a.job.status is not JobStatus.RUNNING:
            a._to(JobStatus.RUNNING)
            self.began_here = True
        work = LocalWork(a.backend.provider, a.device.id, a.spec, a.credentials, shard=record.shard)
        result: ShardResult = self._await(work)
        if self.single and self.coordinating:
            # Its outputs go straight into the final write (a crash before it re-runs the
            # shard, as it would lose any unstored shard).
            self.take(result)
            return True
        if result.started_at is not None and result.finished_at is not None:
            result = replace(
                result,
                started_at=result.started_at + self.shift,
                finished_at=result.finished_at + self.shift,
            )
        return self._store(record, result)

    def _store(self, record: ShardRecord, result: ShardResult) -> bool:
        """Store the shard's outputs and the job's progress in one transaction, holding the
        job's row: the workers storing shards of one job take turns, so exactly one of them
        finds no shard left, and takes the job's lease to finish it."""
        a = self.a
        job = a.job
        now = a._now()
        with a.services.repository.begin() as uow:
            stored = uow.jobs.lock(job.id)
            if stored.is_final:
                raise LeaseLost(f"job {job.id} is already {stored.status.value}")
            uow.shards.complete(
                job.id,
                record.index,
                a.me,
                result.outputs,
                result.notes,
                result.started_at,
                result.finished_at,
            )
            done, left = uow.shards.tally(job.id)
            if self.coordinating:
                changes: dict[str, Any] = {"progress": Progress(done, self.total)}
                if self.began_here and job.progress.done == 0 and result.started_at is not None:
                    changes["started_at"] = result.started_at  # when the first simulation began
                job = replace(job, **changes, lease_expires_at=a.runner._lease_until(now))
                uow.jobs.save(job, lease_owner=a.me)
            else:
                uow.jobs.record_progress(job.id, done)
                if left == 0:  # the last shard: this worker finishes the job
                    uow.jobs.take_over(job.id, a.me, a.runner._lease_until(now))
            uow.commit()
        log.info(
            "job %s: shard %d (%d executables) stored by worker %s, %d of %d done",
            job.id,
            record.index,
            record.shard.count,
            a.me,
            done,
            self.total,
        )
        if result.started_at and result.finished_at:
            self.spent += (result.finished_at - result.started_at).total_seconds()
            self.last_end = result.finished_at
        if not self.coordinating and left == 0:
            job = a._stored()  # the coordinator's log lines, and the lease now ours
            # Written with the job's final save: who finished it, when its coordinator did not
            # (stopped, or killed while the others stored the rest).
            note = f"finished by worker {a.me}, which stored the last of its shards"
            job = with_log(job, now, note)
        a.job = job
        return left == 0

    def _finish(self) -> Job:
        self.a._checkpoint()
        return self.finish()

    def finish(self, uow: UnitOfWork | None = None) -> Job:
        """Finish the job from its shards' outputs and end it Done: in `uow` when given (a
        batch of small jobs ends together), else in a transaction of its own."""
        execution = self.execution()  # sets last_end: when the last simulation ended
        return self.a._end_done(execution, ended_at=self.last_end, uow=uow)

    def execution(self) -> Execution:
        """The job's Execution from its shards' outputs (the backend's finishing step)."""
        a = self.a
        records: list[ShardRecord] = []
        if self.unstored is None:
            with a.services.repository.read() as uow:
                records = uow.shards.list(a.job.id, outputs=True)
        else:
            records = [
                replace(
                    ShardRecord(a.job.id, Shard(0, 0, self.total)),
                    outputs=list(self.unstored.outputs),
                    notes=tuple(self.unstored.notes),
                )
            ]
        outputs: list[Any] = []
        notes: dict[str, None] = {}
        for r in records:
            outputs.extend(r.outputs or ())
            notes.update(dict.fromkeys(r.notes))
            if r.finished_at and (self.last_end is None or r.finished_at > self.last_end):
                self.last_end = r.finished_at
        if a.backend.finish_in_child(a.device, a.spec):
            work = LocalWork(
                a.backend.provider,
                a.device.id,
                a.spec,
                a.credentials,
                outputs=outputs,
                notes=tuple(notes),
            )
            execution: Execution = self._await(work)
            self.last_end = utcnow() + self.shift
            return execution
        return a.backend.finish_local(a.device, a.spec, outputs, tuple(notes), a.credentials)

    # -- waiting on a child -----------------------------------------------------------------

    def _await(self, work: LocalWork) -> Any:
        """Run `work` in the executor and wait for it; a cancel request, the budget or the
        worker's stop terminate its process."""
        a = self.a
        run = self.executor.start(work, a.services.backends)
        began = a.runner.monotonic()
        try:
            while not run.wait(a.runner.config.local_poll):
                self._watch(run, a.runner.monotonic() - began)
            try:
                return run.result()
            except ProviderError:
                if a.runner.stopping.is_set():  # the pool was closed under it: not a failure
                    raise HandBack() from None
                raise
        except BaseException:
            run.cancel()  # whatever ended the wait, the child must not go on simulating
            raise

    def _watch(self, run: LocalRun, elapsed: float) -> None:
        a = self.a
        if a.runner.stopping.is_set():
            run.cancel()
            raise HandBack()
        self._check_job(run)
        if self.spent + elapsed > self.budget:
            run.cancel()
            if not self.coordinating:  # the coordinator ends the job over budget
                raise LeaseLost(f"job {a.job.id} is over its budget")
            raise _Ended(a._end(JobStatus.ERROR, self._over_budget(), charge=None, error=True))

    def _check_job(self, run: LocalRun | None) -> None:
        """Stop (cancelling `run`) when the job ended, was taken over, or is being cancelled:
        the coordinator then ends it Cancelled; a helper just stops (its shard stays unstored)."""
        a = self.a
        stored = a._stored()
        lost = stored.is_final or (self.coordinating and stored.lease_owner != a.me)
        if (lost or stored.cancel_requested) and run is not None:
            run.cancel()
        if lost:
            raise LeaseLost(f"job {a.job.id} was taken over or ended while a shard ran")
        if stored.cancel_requested:
            if not self.coordinating:
                raise LeaseLost(f"job {a.job.id} is being cancelled")
            done = stored.progress.done
            note = f"cancelled by the user after {done} of {self.total} executables"
            raise _Ended(a._end(JobStatus.CANCELLED, note, charge=None))

    def _over_budget(self) -> str:
        a = self.a
        hint = a.runner.config.budget_hint
        message = (
            f"the local simulation exceeded its wall-clock budget of {self.budget:g} s on "
            f"{a.device.id} ({a.job.progress.done} of {self.total} executables done)"
        )
        return scrub(message + (f"; {hint}" if hint else ""), a.credentials)
