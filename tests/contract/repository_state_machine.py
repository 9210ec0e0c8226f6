"""A Hypothesis state machine driving any Repository beside a plain dict model.

It creates experiments, circuits and jobs, moves jobs through the allowed transitions, claims
and saves them as workers would, requests cancellation, stores sealed secrets, abandons units of
work, and reads everything back, comparing each answer with what the model says it must be.

    run_state_machine_as_test(repository_machine(open_repository), settings=...)

`open_repository()` is a context manager yielding a fresh, empty repository for one example.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from qdispatch_core.domain import (
    Circuit,
    Cost,
    Experiment,
    Job,
    JobStatus,
    Progress,
    RunType,
    User,
)
from qdispatch_core.domain.lifecycle import ALLOWED_TRANSITIONS, advance
from qdispatch_core.errors import Conflict, LeaseLost, NotFound
from qdispatch_core.ports import JobFilter, Repository
from tests.contract.repository_contract import ANALYTICS

OpenRepository = Callable[[], AbstractContextManager[Repository]]

T0 = datetime(2026, 3, 1, tzinfo=UTC)
LEASE = timedelta(seconds=10)
OWNERS = (User("usr_alice", "alice", T0), User("usr_bob", "bob", T0))
WORKERS = ("w1", "w2")

# Text the same on every database: PostgreSQL text cannot hold NUL characters.
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6)
finite = st.floats(allow_nan=False)  # NaN != NaN would make equal jobs compare unequal
bits = st.text("01", min_size=1, max_size=6)
results = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        finite,
        texts,
        st.dictionaries(bits, st.integers(0, 10**9), max_size=6),  # counts
        st.dictionaries(bits, finite, max_size=6),  # quasi-probabilities
        st.lists(finite, max_size=6),  # a state-vector part
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
costs = (
    st.none()
    | st.builds(Cost.priced, st.integers(0, 10**6), st.just("shots"), finite)
    | (st.builds(Cost.unavailable, texts))
)


class Abort(Exception):
    """Raised inside a unit of work to cut it short."""


@dataclass
class Model:
    """What the repository must hold: plain dicts keyed by id."""

    experiments: dict[str, Experiment] = field(default_factory=dict)
    circuits: dict[str, Circuit] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    secrets: dict[str, bytes] = field(default_factory=dict)

    def newest_first(self, items):
        return sorted(items, key=lambda x: (x.created_at, x.id), reverse=True)

    def lease_free(self, job: Job, now: datetime) -> bool:
        return job.lease_expires_at is None or job.lease_expires_at <= now

    def claimable(self, now: datetime) -> list[str]:
        ready = [j for j in self.jobs.values() if not j.is_final and self.lease_free(j, now)]
        return [j.id for j in sorted(ready, key=lambda j: (j.created_at, j.id))]

    def refuses_save(self, job_id: str, lease_owner: str | None, expected) -> bool:
        stored = self.jobs[job_id]
        return (
            stored.is_final
            or (lease_owner is not None and stored.lease_owner != lease_owner)
            or (expected is not None and stored.status is not expected)
        )


class RepositoryMachine(RuleBasedStateMachine):
    open_repository: OpenRepository  # set by `repository_machine`

    def __init__(self) -> None:
        super().__init__()
        self.resources = ExitStack()
        self.repository = self.resources.enter_context(type(self).open_repository())
        self.model = Model()
        self.now = T0
        self.serial = 0
        with self.repository.begin() as uow:
            for user in OWNERS:
                uow.users.add(user)
            uow.commit()

    def teardown(self) -> None:
        self.resources.close()

    @initialize()
    def seed(self) -> None:
        """An experiment with a circuit per owner, so job rules apply from the first step."""
        for owner in OWNERS:
            self.create_experiment(owner, "a", "")
            experiment_id = f"exp_{self.serial:04d}"
            self.store_circuit(self.model.experiments[experiment_id], "h1")

    def next_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}_{self.serial:04d}"

    # -- time -----------------------------------------------------------------------------

    @rule(seconds=st.sampled_from([0, 1, 5, 11]))
    def tick(self, seconds: int) -> None:
        # Small steps, often zero: equal creation times test the id tie-break of orderings.
        self.now += timedelta(seconds=seconds)

    # -- experiments and circuits ---------------------------------------------------------

    @rule(owner=st.sampled_from(OWNERS), name=st.sampled_from(["a", "b", "c"]), text=texts)
    def create_experiment(self, owner: User, name: str, text: str) -> None:
        experiment = Experiment(self.next_id("exp"), owner.id, name, text, self.now)
        taken = any(
            e.owner_id == owner.id and e.name == name for e in self.model.experiments.values()
        )
        if taken:
            with pytest.raises(Conflict), self.repository.begin() as uow:
                uow.experiments.add(experiment)
            return
        with self.repository.begin() as uow:
            uow.experiments.add(experiment)
            uow.commit()
        self.model.experiments[experiment.id] = experiment

    @rule(data=st.data(), content_hash=st.sampled_from(["h1", "h2", "h3"]))
    def add_circuit(self, data, content_hash: str) -> None:
        experiment_id = data.draw(st.sampled_from(sorted(self.model.experiments)))
        self.store_circuit(self.model.experiments[experiment_id], content_hash)

    def store_circuit(self, experiment: Experiment, content_hash: str) -> None:
        circuit = Circuit(
            id=self.next_id("cir"),
            owner_id=experiment.owner_id,
            experiment_id=experiment.id,
            name="c",
            description="",
            qasm=f"OPENQASM 3.0; // {content_hash}",
            qasm_version=3,
            content_hash=content_hash,
            analytics=ANALYTICS,
            created_at=self.now,
        )
        duplicate = any(
            c.experiment_id == experiment.id and c.content_hash == content_hash
            for c in self.model.circuits.values()
        )
        if duplicate:
            with pytest.raises(Conflict), self.repository.begin() as uow:
                uow.circuits.add(circuit)
            return
        with self.repository.begin() as uow:
            uow.circuits.add(circuit)
            uow.commit()
        self.model.circuits[circuit.id] = circuit

    # -- jobs -----------------------------------------------------------------------------

    @rule(
        data=st.data(),
        run_type=st.sampled_from(RunType),
        parameters=st.none() | st.just([[[0.5], [1.5]]]),
        name=texts,
        estimate=costs,
    )
    def create_job(self, data, run_type, parameters, name, estimate) -> None:
        circuit = self.model.circuits[data.draw(st.sampled_from(sorted(self.model.circuits)))]
        job = Job(
            id=self.next_id("job"),
            owner_id=circuit.owner_id,
            experiment_id=circuit.experiment_id,
            device_id="dummy_simulator",
            provider="fake",
            run_type=run_type,
            shots=100,
            circuit_ids=(circuit.id,),
            parameters=parameters,
            observables=None,
            options={"seed": 7},
            use_mitigation=False,
            dry_run=False,
            created_at=self.now,
            name=name,
            estimated_cost=estimate,
            logs=(f"{self.now.isoformat()} Submitted",),
        )
        with self.repository.begin() as uow:
            uow.jobs.add(job)
            uow.commit()
        self.model.jobs[job.id] = job

    def draw_job(self, data) -> Job:
        # The newest few: several steps on one job make the interesting sequences likely
        # (claim, cancel request, stale save, expiry, another worker's claim).
        return self.model.jobs[data.draw(st.sampled_from(sorted(self.model.jobs)[-3:]))]

    @precondition(lambda self: self.model.jobs)
    @rule(
        data=st.data(),
        expected=st.none() | st.sampled_from(JobStatus),
        stale_cancel_flag=st.booleans(),
    )
    def advance_status(self, data, expected: JobStatus | None, stale_cancel_flag: bool) -> None:
        """A status change as the doors make it: compare-and-set on the expected status."""
        job = replace(self.draw_job(data), cancel_requested=stale_cancel_flag)
        targets = sorted(ALLOWED_TRANSITIONS[job.status])
        if not targets:  # a final job: any write must be refused
            moved, expected = replace(job, name="late write"), job.status
        else:
            moved = advance(job, data.draw(st.sampled_from(targets)), self.now)
        self.save(moved, lease_owner=None, expected=expected)

    @precondition(lambda self: self.model.jobs)
    @rule(data=st.data(), worker=st.sampled_from(WORKERS))
    def claim(self, data, worker: str) -> None:
        job = self.draw_job(data)
        with self.repository.begin() as uow:
            claimed = uow.jobs.claim(job.id, worker, self.now, self.now + LEASE)
            uow.commit()
        if job.is_final or not self.model.lease_free(job, self.now):
            assert claimed is None
            return
        expected = replace(
            job, lease_owner=worker, lease_expires_at=self.now + LEASE, attempts=job.attempts + 1
        )
        assert claimed == expected
        self.model.jobs[job.id] = expected
        self.check_job(job.id)

    @precondition(lambda self: self.model.jobs)
    @rule(
        data=st.data(),
        as_holder=st.booleans(),
        output=results,
        uncertainty=results,
        cost=costs,
        stale_cancel_flag=st.booleans(),
    )
    def worker_save(self, data, as_holder, output, uncertainty, cost, stale_cancel_flag) -> None:
        """A worker writes progress and results under its lease (which it may have lost)."""
        job = self.draw_job(data)
        worker = job.lease_owner
        if not (as_holder and worker):
            worker = data.draw(st.sampled_from(WORKERS))
        written = replace(
            job,
            results=output,
            uncertainties=uncertainty,
            cost=cost,
            provider_job_ids=(*job.provider_job_ids, f"p{self.serial}"),
            progress=Progress(job.progress.done + 1, job.progress.total + 1),
            cancel_requested=stale_cancel_flag,  # must never reach the store
        )
        self.save(written, lease_owner=worker, expected=None)

    def save(self, job: Job, *, lease_owner: str | None, expected: JobStatus | None) -> None:
        if self.model.refuses_save(job.id, lease_owner, expected):
            with pytest.raises(LeaseLost), self.repository.begin() as uow:
                uow.jobs.save(job, lease_owner=lease_owner, expected_status=expected)
            return
        with self.repository.begin() as uow:
            uow.jobs.save(job, lease_owner=lease_owner, expected_status=expected)
            uow.commit()
        stored_flag = self.model.jobs[job.id].cancel_requested
        self.model.jobs[job.id] = replace(job, cancel_requested=stored_flag)
        self.check_job(job.id)

    @precondition(lambda self: self.model.jobs)
    @rule(data=st.data(), owner=st.sampled_from(OWNERS))
    def request_cancel(self, data, owner: User) -> None:
        job = self.draw_job(data)
        if owner.id != job.owner_id:
            with pytest.raises(NotFound), self.repository.begin() as uow:
                uow.jobs.request_cancel(owner.id, job.id)
            return
        if not job.is_final:
            job = replace(job, cancel_requested=True)
        with self.repository.begin() as uow:
            assert uow.jobs.request_cancel(owner.id, job.id) == job
            uow.commit()
        self.model.jobs[job.id] = job
        self.check_job(job.id)

    # -- secrets and atomicity ------------------------------------------------------------

    @precondition(lambda self: self.model.jobs)
    @rule(data=st.data(), sealed=st.none() | st.binary(min_size=1, max_size=16))
    def put_or_delete_secret(self, data, sealed: bytes | None) -> None:
        job = self.draw_job(data)
        with self.repository.begin() as uow:
            if sealed is None:
                uow.secrets.delete(job.id)
            else:
                uow.secrets.put(job.id, sealed)
            uow.commit()
        if sealed is None:
            self.model.secrets.pop(job.id, None)
        else:
            self.model.secrets[job.id] = sealed

    @precondition(lambda self: self.model.jobs)
    @rule(data=st.data(), fail=st.booleans())
    def abandoned_unit_of_work(self, data, fail: bool) -> None:
        """Writes without a commit, or cut short by an error, leave no trace."""
        job = self.draw_job(data)
        experiment = Experiment(self.next_id("exp"), job.owner_id, "abandoned", "", self.now)
        with pytest.raises(Abort) if fail else ExitStack(), self.repository.begin() as uow:
            uow.experiments.add(experiment)
            uow.jobs.request_cancel(job.owner_id, job.id)
            uow.secrets.put(job.id, b"abandoned")
            if fail:
                raise Abort

    # -- reading back ---------------------------------------------------------------------

    def check_job(self, job_id: str) -> None:
        with self.repository.begin() as uow:
            assert uow.jobs.get_for_worker(job_id) == self.model.jobs[job_id]

    @invariant()
    def claimable_jobs_match(self) -> None:
        with self.repository.begin() as uow:
            assert uow.jobs.claimable(self.now, 1000) == self.model.claimable(self.now)

    @rule()
    def read_back_everything(self) -> None:
        model = self.model
        with self.repository.begin() as uow:
            for job in model.jobs.values():
                assert uow.jobs.get(job.owner_id, job.id) == job
                stranger = next(u for u in OWNERS if u.id != job.owner_id)
                with pytest.raises(NotFound):
                    uow.jobs.get(stranger.id, job.id)
                assert uow.secrets.get(job.id) == model.secrets.get(job.id)
            for owner in OWNERS:
                self.compare_owner(uow, owner)

    def compare_owner(self, uow, owner: User) -> None:
        model = self.model
        mine = [j for j in model.jobs.values() if j.owner_id == owner.id]
        assert uow.jobs.list(owner.id, JobFilter(limit=1000)) == model.newest_first(mine)
        assert uow.jobs.list(owner.id, JobFilter(limit=2)) == model.newest_first(mine)[:2]
        for status in {j.status for j in mine}:
            expected = model.newest_first(j for j in mine if j.status is status)
            assert uow.jobs.list(owner.id, JobFilter(status=status, limit=1000)) == expected
        experiments = [e for e in model.experiments.values() if e.owner_id == owner.id]
        assert uow.experiments.list(owner.id) == model.newest_first(experiments)
        for experiment in experiments:
            assert uow.experiments.by_name(owner.id, experiment.name) == experiment
            in_experiment = [c for c in model.circuits.values() if c.experiment_id == experiment.id]
            listed = uow.circuits.list(owner.id, experiment.id, 1000)
            assert listed == model.newest_first(in_experiment)
            jobs_here = [j for j in mine if j.experiment_id == experiment.id]
            where = JobFilter(experiment_id=experiment.id, limit=1000)
            assert uow.jobs.list(owner.id, where) == model.newest_first(jobs_here)
        circuit_ids = [c.id for c in model.circuits.values() if c.owner_id == owner.id]
        assert [c.id for c in uow.circuits.get_many(owner.id, circuit_ids)] == circuit_ids


def repository_machine(open_repository: OpenRepository) -> type[RepositoryMachine]:
    """The state machine bound to a way of opening a fresh repository per example."""
    bound = {"open_repository": staticmethod(open_repository)}
    return type("RepositoryMachine", (RepositoryMachine,), bound)
