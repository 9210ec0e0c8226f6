"""Small local jobs in batches (issue 15, docs/workers.md "Small jobs in batches").

A worker thread that claims a quick local job (one shard, estimated well under a second, no
write before its end: `LocalJob.quick_seconds`) while more jobs wait behind it claims up to
`WorkerConfig.batch_jobs - 1` of those too, in one transaction. The quick ones among them run in
one round trip to one simulation process (a `LocalBatch`) and end together in one transaction;
the others are given back untouched for any worker to claim.

Every job of a batch keeps the rules it has alone: its own lease (renewed by the lease keeper),
its own compare-and-set final write (a job lost meanwhile is skipped, the others end), a cancel
request ends it Cancelled within a poll, a simulation error fails it alone. When the batch
cannot run or end as one (its process died, a write failed), each job is run or ended on its
own, exactly as without batches.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qdispatch_core.domain import Circuit, Job, JobStatus
from qdispatch_core.errors import LeaseLost
from qdispatch_core.ports.backend import Execution
from qdispatch_core.ports.executor import LocalBatch, LocalRun, LocalWork, Outcome
from qdispatch_core.ports.repository import UnitOfWork
from qdispatch_core.redaction import live_secrets
from qdispatch_core.usecases.execution import HandBack
from qdispatch_core.usecases.shards import LocalJob, _Ended

if TYPE_CHECKING:
    from qdispatch_core.usecases.execution import JobRunner, _Run

log = logging.getLogger(__name__)

# Jobs whose simulation budget is shorter than this never join a batch: a batch takes as long
# as all its jobs together, and must not run a job over its own budget.
SHORTEST_BATCHED_BUDGET_S = 60.0


@dataclass
class _Member:
    """One job of the batch, and what became of it."""

    claimed: Job  # as claimed (given back as it is when it does not join the batch)
    local: LocalJob
    work: LocalWork | None = None
    outcome: Outcome | None = None
    execution: Execution | None = None
    ended: Job | None = None
    failure: Exception | None = None
    lost: bool = False
    credentials: dict[str, str] = field(default_factory=dict)

    @property
    def attempt(self) -> _Run:
        return self.local.a

    @property
    def open(self) -> bool:
        return self.ended is None and self.failure is None and not self.lost


def run_batch(lead: _Run, local: LocalJob) -> Job:
    """Run the quick job `lead` (prepared, unwritten since its claim) with the quick jobs
    waiting behind it; returns the lead's final job (or raises what ended it, as
    `LocalJob.execute` would). The other jobs' ends are in `runner.ended_alongside`."""
    return _Batch(lead.runner).run(_Member(lead.job, local, credentials=lead.credentials))


class _Batch:
    def __init__(self, runner: JobRunner) -> None:
        self.runner = runner
        self.config = runner.config
        self.members: list[_Member] = []

    # -- the steps ------------------------------------------------------------------------

    def run(self, lead: _Member) -> Job:
        runner = self.runner
        runner.ended_alongside = []
        extras = runner.claim_more(lead.claimed, self.config.batch_jobs - 1)
        if not extras:
            return lead.local.execute()  # alone after all: the usual path
        self.members = [lead]
        with ExitStack() as stack:
            try:
                self._join(extras, stack)
                self._start_all()
                self._simulate()
                self._end_all()
            except BaseException:  # stopping (HandBack), or a bug: the others go back
                self._hand_back_extras()
                raise
            finally:
                self._settle_extras()
        return self._lead_result(lead)

    def _join(self, extras: list[Job], stack: ExitStack) -> None:
        """Prepare the claimed jobs: the quick ones join the batch, the rest are given back."""
        runner = self.runner
        inputs = self._inputs(extras)
        given_back: list[Job] = []
        estimate = sum(filter(None, [self.members[0].local.quick_seconds()]))
        for job in extras:
            sealed, circuits = inputs[job.id]
            member = self._prepared(job, sealed, circuits, stack)
            if member is None:
                continue  # failed, and recorded as ended
            device = member.attempt.device
            seconds = member.local.quick_seconds() if device.local else None
            budget = runner.config.budget_for(device.id)
            if (
                seconds is None
                or budget < SHORTEST_BATCHED_BUDGET_S
                or estimate + seconds > self.config.quick_seconds * self.config.batch_jobs
            ):
                given_back.append(job)
                continue
            estimate += seconds
            self.members.append(member)
        if given_back:
            runner.give_back_unstarted(given_back)
            runner.more_claimable = True  # the worker wakes another thread for them
        log.info("a batch of %d small job(s) runs together", len(self.members))

    def _inputs(self, jobs: list[Job]) -> dict[str, tuple[bytes | None, list[Circuit]]]:
        """Every job's sealed credentials and circuits (read in the batch's claim)."""
        return {j.id: self.runner.claimed_inputs(j) for j in jobs}

    def _prepared(
        self, job: Job, sealed: bytes | None, circuits: list[Circuit], stack: ExitStack
    ) -> _Member | None:
        """The job ready to run (None when it cannot be: it failed, and ended in Error)."""
        from qdispatch_core.usecases.execution import _Run

        runner = self.runner
        credentials: dict[str, str] = {}
        try:
            credentials = runner._open(sealed)
            stack.enter_context(live_secrets(credentials.values()))
            if runner.keeper is not None:
                stack.enter_context(runner.keeper.holding(job.id, self.config.worker_id))
            attempt = _Run(runner, job, credentials, circuits)
            attempt._prepare()
            return _Member(job, LocalJob(attempt), credentials=credentials)
        except Exception as exc:
            failure = runner._failure(job.id, exc, credentials)
            runner.ended_alongside.append(runner._fail(job.id, failure))
            self._untake(job)
            return None

    def _start_all(self) -> None:
        for member in self.members:
            member.work = member.local.start_unwritten()

    def _simulate(self) -> None:
        """One round trip for the whole batch; on its failure, each job alone."""
        works = tuple(m.work for m in self.members if m.work is not None)
        local = self.members[0].local
        run = local.executor.start(LocalBatch(works), self.runner.services.backends)
        try:
            outcomes = self._await(run)
        except HandBack:
            raise
        except Exception as exc:  # the batch's process died, say: nobody is to blame yet
            log.warning("a batch of small jobs failed as a whole (%s); each runs alone", exc)
            self._simulate_alone()
            return
        for member, outcome in zip(self.members, outcomes, strict=False):
            if member.open:  # a job cancelled meanwhile ended Cancelled: its outcome is dropped
                member.outcome = outcome

    def _await(self, run: LocalRun) -> list[Outcome]:
        """The batch's outcomes, one per member; none when it ran over budget (every job
        then ended in Error)."""
        runner = self.runner
        began = runner.monotonic()
        budget = min(self.config.budget_for(m.attempt.device.id) for m in self.members)
        try:
            while not run.wait(self.config.local_poll):
                if runner.stopping.is_set():
                    raise HandBack()
                self._watch_cancels()
                if runner.monotonic() - began > budget:
                    run.cancel()
                    self._end_over_budget()
                    return []
            outcomes: list[Outcome] = run.result()
            return outcomes
        except BaseException:
            run.cancel()
            raise

    def _watch_cancels(self) -> None:
        """End now the jobs of the batch cancelled (or lost) while it simulates."""
        for member in self.members:
            if not member.open:
                continue
            try:
                member.local._check_job(None)
            except _Ended as ended:
                member.ended = ended.job
            except LeaseLost:
                member.lost = True

    def _end_over_budget(self) -> None:
        for member in self.members:
            if member.open:
                message = member.local._over_budget()
                try:
                    member.ended = member.attempt._end(
                        JobStatus.ERROR, message, charge=None, error=True
                    )
                except LeaseLost:
                    member.lost = True

    def _simulate_alone(self) -> None:
        for member in self.members:
            if not member.open or member.work is None:
                continue
            try:
                member.outcome = Outcome(member.local._await(member.work))
            except _Ended as ended:
                member.ended = ended.job
            except LeaseLost:
                member.lost = True
            except HandBack:
                raise
            except Exception as exc:
                member.outcome = Outcome(error=exc)

    def _end_all(self) -> None:
        """Every job's final write in one transaction; on a failure there, each on its own."""
        for member in self.members:
            if member.open and member.outcome is not None:
                try:
                    member.local.take(member.outcome.get())
                    member.execution = member.local.execution()
                except Exception as exc:
                    member.failure = exc
        ending = [m for m in self.members if m.open and m.execution is not None]
        before = {id(m): m.attempt.job for m in ending}
        try:
            with self.runner.services.repository.begin() as uow:
                for member in ending:
                    self._end_in(member, uow)
                uow.commit()
        except Exception as exc:
            log.warning("ending a batch of small jobs together failed (%s); one by one", exc)
            for member in ending:  # as they were before the transaction that rolled back
                member.attempt.job, member.ended, member.lost = before[id(member)], None, False
                self._end_in(member, None)

    def _end_in(self, member: _Member, uow: UnitOfWork | None) -> None:
        assert member.execution is not None
        try:
            member.ended = member.attempt._end_done(
                member.execution, ended_at=member.local.last_end, uow=uow
            )
        except LeaseLost:
            member.lost = True
        except Exception as exc:
            if uow is not None:
                raise  # the transaction is spoiled: every job is ended on its own
            member.failure = exc

    # -- what becomes of each job --------------------------------------------------------

    def _settle_extras(self) -> None:
        """The jobs other than the lead: failures recorded, every claim let go."""
        runner = self.runner
        for member in self.members[1:]:
            if member.failure is not None:
                job_id = member.claimed.id
                failure = runner._failure(job_id, member.failure, member.credentials)
                member.ended = runner._fail(job_id, failure)
            if member.ended is not None:
                runner.ended_alongside.append(member.ended)
            elif member.lost:
                job_id = member.claimed.id
                log.info("job %s: lease lost; another worker or the user took it over", job_id)
            self._untake(member.claimed)

    def _hand_back_extras(self) -> None:
        for member in self.members[1:]:
            if member.open:
                member.lost = True  # not ended here
                try:
                    self.runner._hand_back(member.claimed.id)
                except Exception:  # its lease runs out and another worker takes it over
                    log.exception("job %s: handing it back failed", member.claimed.id)

    def _lead_result(self, lead: _Member) -> Job:
        if lead.failure is not None:
            raise lead.failure
        if lead.lost:
            raise LeaseLost(f"job {lead.claimed.id} was taken over or ended while it ran")
        assert lead.ended is not None
        return lead.ended

    def _untake(self, job: Job) -> None:
        if self.runner.keeper is not None:
            self.runner.keeper.untake(job.id)
