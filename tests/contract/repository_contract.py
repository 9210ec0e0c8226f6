"""The Repository contract: every implementation (in-memory, SQLite, PostgreSQL) passes it.

Subclass `RepositoryContract` and provide a `repository` fixture that yields an empty repository.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from qdispatch_core.domain import (
    Circuit,
    CircuitAnalytics,
    Cost,
    Experiment,
    Job,
    JobStatus,
    Progress,
    RunType,
    Shard,
    ShardStatus,
    User,
)
from qdispatch_core.errors import Conflict, LeaseLost, NotFound, PaymentRequired
from qdispatch_core.ports import JobFilter, Repository
from qdispatch_core.ports.billing import EntryKind

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ANALYTICS = CircuitAnalytics(
    qubits=2,
    clbits=2,
    num_parameters=1,
    parameter_names=("theta",),
    depth=3,
    depth_2q=1,
    gates_1q=2,
    gates_2q=1,
    gates_total=3,
    operations={"h": 1, "cx": 1, "measure": 2},
    has_measurements=True,
)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def make_user(name: str = "alice", t: float = 0) -> User:
    return User(id=f"usr_{name}", name=name, created_at=at(t))


def make_experiment(owner: User, name: str = "exp", t: float = 0) -> Experiment:
    return Experiment(
        id=f"exp_{owner.name}_{name}",
        owner_id=owner.id,
        name=name,
        description="d",
        created_at=at(t),
    )


def make_circuit(exp: Experiment, h: str = "h1", t: float = 0) -> Circuit:
    return Circuit(
        id=f"cir_{exp.id}_{h}",
        owner_id=exp.owner_id,
        experiment_id=exp.id,
        name="c",
        description="",
        qasm="OPENQASM 3.0;\nqubit[2] q;\n",
        qasm_version=3,
        content_hash=h,
        analytics=ANALYTICS,
        created_at=at(t),
    )


def make_job(exp: Experiment, circuit: Circuit, n: int = 1, t: float = 0, **changes) -> Job:
    job = Job(
        id=f"job_{exp.id}_{n}",
        owner_id=exp.owner_id,
        experiment_id=exp.id,
        device_id="dummy_simulator",
        provider="fake",
        run_type=RunType.RUN,
        shots=1000,
        circuit_ids=(circuit.id,),
        parameters=[[[0.5], [1.5]]],
        observables=[[[["ZZ", "XX"], [1.0, 0.5]]]],
        options={"seed": 7},
        use_mitigation=True,
        dry_run=False,
        created_at=at(t),
        name=f"job {n}",
        description="desc",
        estimated_cost=Cost.priced(1000, "shots", 1.5),
        progress=Progress(0, 2),
        logs=("2026 Submitted",),
    )
    return replace(job, **changes)


class RepositoryContract:
    """Behaviour every Repository must have. Tests get a fresh, empty repository."""

    @pytest.fixture
    def repository(self) -> Repository:  # pragma: no cover - overridden by subclasses
        raise NotImplementedError

    # -- helpers --------------------------------------------------------------------------

    def seed(self, repo: Repository, users=("alice",)):
        out = []
        with repo.begin() as uow:
            for i, name in enumerate(users):
                user = make_user(name, i)
                exp = make_experiment(user)
                circuit = make_circuit(exp)
                uow.users.add(user)
                uow.experiments.add(exp)
                uow.circuits.add(circuit)
                out.append((user, exp, circuit))
            uow.commit()
        return out

    def add_job(self, repo: Repository, job: Job) -> Job:
        with repo.begin() as uow:
            uow.jobs.add(job)
            uow.commit()
        return job

    def read_job(self, repo: Repository, job_id: str) -> Job:
        with repo.begin() as uow:
            return uow.jobs.get_for_worker(job_id)

    # -- users ----------------------------------------------------------------------------

    def test_users_round_trip_and_names_are_unique(self, repository):
        user = make_user()
        with repository.begin() as uow:
            uow.users.add(user)
            uow.users.add_api_key(user.id, "hash-1", T0)
            uow.commit()
        with repository.begin() as uow:
            assert uow.users.get(user.id) == user
            assert uow.users.by_name("alice") == user
            assert uow.users.by_name("bob") is None
            assert uow.users.by_api_key_hash("hash-1") == user
            assert uow.users.by_api_key_hash("hash-2") is None
            assert uow.users.list() == [user]
            with pytest.raises(NotFound):
                uow.users.get("usr_nobody")
        with pytest.raises(Conflict), repository.begin() as uow:
            uow.users.add(replace(user, id="usr_other"))

    # -- experiments and circuits ---------------------------------------------------------

    def test_experiments_are_scoped_to_their_owner(self, repository):
        (alice, exp, _), (bob, bob_exp, _) = self.seed(repository, ("alice", "bob"))
        with repository.begin() as uow:
            assert uow.experiments.get(alice.id, exp.id) == exp
            with pytest.raises(NotFound):
                uow.experiments.get(bob.id, exp.id)
            assert uow.experiments.by_name(alice.id, "exp") == exp
            assert uow.experiments.by_name(bob.id, "exp") == bob_exp
            assert uow.experiments.list(alice.id) == [exp]

    def test_experiment_names_are_unique_per_owner(self, repository):
        ((alice, exp, _),) = self.seed(repository)
        with pytest.raises(Conflict), repository.begin() as uow:
            uow.experiments.add(replace(exp, id="exp_dup"))

    def test_experiments_list_newest_first(self, repository):
        ((alice, exp, _),) = self.seed(repository)
        newer = make_experiment(alice, "newer", t=10)
        with repository.begin() as uow:
            uow.experiments.add(newer)
            uow.commit()
        with repository.begin() as uow:
            assert [e.id for e in uow.experiments.list(alice.id)] == [newer.id, exp.id]

    def test_circuits_round_trip_with_analytics_and_dedup_by_hash(self, repository):
        (alice, exp, circuit), (bob, _, _) = self.seed(repository, ("alice", "bob"))
        with repository.begin() as uow:
            assert uow.circuits.get(alice.id, circuit.id) == circuit
            assert uow.circuits.by_hash(alice.id, exp.id, "h1") == circuit
            assert uow.circuits.by_hash(alice.id, exp.id, "h2") is None
            with pytest.raises(NotFound):
                uow.circuits.get(bob.id, circuit.id)
        with pytest.raises(Conflict), repository.begin() as uow:
            uow.circuits.add(replace(circuit, id="cir_dup"))

    def test_get_many_keeps_order_and_rejects_missing(self, repository):
        ((alice, exp, c1),) = self.seed(repository)
        c2 = make_circuit(exp, "h2", t=5)
        with repository.begin() as uow:
            uow.circuits.add(c2)
            uow.commit()
        with repository.begin() as uow:
            assert uow.circuits.get_many(alice.id, [c2.id, c1.id, c2.id]) == [c2, c1, c2]
            with pytest.raises(NotFound):
                uow.circuits.get_many(alice.id, [c1.id, "cir_missing"])
            assert uow.circuits.list(alice.id, exp.id, 1) == [c2]

    # -- jobs -----------------------------------------------------------------------------

    def test_jobs_round_trip_every_field(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        counts = {format(i, "016b"): i + 1 for i in range(300)}
        job = make_job(
            exp,
            circuit,
            status=JobStatus.DONE,
            provider_job_ids=("p1", "p2"),
            started_at=at(1),
            finished_at=at(2),
            cost=Cost.unavailable("no price"),
            results=[[counts, {"0": 0.25, "1": 0.75}]],
            uncertainties=[[0.1, 0.2]],
            raw_results=[[{"0": 1}]],
            mitigation={"applied": True, "method": "m3"},
            plan={"executables": 2, "circuits": [{"transpiled_depth": 4}]},
            error=None,
            logs=("a", "b"),
            progress=Progress(2, 2),
            attempts=1,
        )
        self.add_job(repository, job)
        with repository.begin() as uow:
            assert uow.jobs.get(alice.id, job.id) == job

    def test_statevector_results_round_trip_exactly(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        real = [((-1) ** i) * (i / 1000.0) for i in range(1 << 10)]
        imag = [1 / (i + 3) for i in range(1 << 10)]
        job = make_job(
            exp,
            circuit,
            status=JobStatus.DONE,
            results=[[real, imag]],
            uncertainties=None,
            run_type=RunType.STATEVECTOR,
        )
        self.add_job(repository, job)
        assert self.read_job(repository, job.id).results == [[real, imag]]

    def test_jobs_are_scoped_and_listed_newest_first_with_filters(self, repository):
        (alice, exp, circuit), (bob, _, _) = self.seed(repository, ("alice", "bob"))
        other_exp = make_experiment(alice, "other", t=1)
        with repository.begin() as uow:
            uow.experiments.add(other_exp)
            uow.commit()
        jobs = [self.add_job(repository, make_job(exp, circuit, n, t=n)) for n in range(1, 5)]
        self.add_job(repository, make_job(other_exp, circuit, 9, t=9, status=JobStatus.DONE))
        with repository.begin() as uow:
            with pytest.raises(NotFound):
                uow.jobs.get(bob.id, jobs[0].id)
            listed = uow.jobs.list(alice.id, JobFilter(limit=3))
            assert [j.id for j in listed] == [f"job_{other_exp.id}_9", jobs[3].id, jobs[2].id]
            assert [j.id for j in uow.jobs.list(alice.id, JobFilter(experiment_id=exp.id))] == [
                j.id for j in reversed(jobs)
            ]
            assert [
                j.status for j in uow.jobs.list(alice.id, JobFilter(status=JobStatus.DONE))
            ] == [JobStatus.DONE]
            assert uow.jobs.list(bob.id, JobFilter()) == []

    def test_jobs_filter_by_dry_run(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        real = self.add_job(repository, make_job(exp, circuit, 1, t=1))
        dry = self.add_job(repository, make_job(exp, circuit, 2, t=2, dry_run=True))
        with repository.begin() as uow:
            listed = uow.jobs.list
            assert [j.id for j in listed(alice.id, JobFilter(dry_run=True))] == [dry.id]
            assert [j.id for j in listed(alice.id, JobFilter(dry_run=False))] == [real.id]
            assert [j.id for j in listed(alice.id, JobFilter())] == [dry.id, real.id]
            assert listed(alice.id, JobFilter(dry_run=True, status=JobStatus.ERROR)) == []

    def test_circuits_list_one_experiment_or_all_of_an_owner(self, repository):
        (alice, exp, first), (bob, _, _) = self.seed(repository, ("alice", "bob"))
        other = make_experiment(alice, "other", t=1)
        second = make_circuit(other, "h2", t=2)
        with repository.begin() as uow:
            uow.experiments.add(other)
            uow.circuits.add(second)
            uow.commit()
        with repository.begin() as uow:
            assert [c.id for c in uow.circuits.list(alice.id, None, 10)] == [second.id, first.id]
            assert [c.id for c in uow.circuits.list(alice.id, exp.id, 10)] == [first.id]
            assert [c.id for c in uow.circuits.list(alice.id, None, 1)] == [second.id]
            assert [c.owner_id for c in uow.circuits.list(bob.id, None, 10)] == [bob.id]

    def test_claim_is_a_compare_and_set_on_the_lease(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        job = self.add_job(repository, make_job(exp, circuit))
        with repository.begin() as uow:
            assert uow.jobs.claimable(at(0), 10) == [job.id]
            claimed = uow.jobs.claim(job.id, "w1", at(0), at(30))
            uow.commit()
        assert claimed.lease_owner == "w1" and claimed.attempts == 1
        with repository.begin() as uow:
            assert uow.jobs.claimable(at(10), 10) == []
            assert uow.jobs.claim(job.id, "w2", at(10), at(40)) is None
            # Expired: another worker may take over.
            assert uow.jobs.claimable(at(31), 10) == [job.id]
            again = uow.jobs.claim(job.id, "w2", at(31), at(60))
            uow.commit()
        assert again.lease_owner == "w2" and again.attempts == 2
        assert self.read_job(repository, job.id).lease_owner == "w2"

    def test_lease_owner_reads_who_holds_or_last_held_the_lease(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        job = self.add_job(repository, make_job(exp, circuit))
        with repository.read() as uow:
            assert uow.jobs.lease_owner(job.id) is None
            with pytest.raises(NotFound):
                uow.jobs.lease_owner("job_nothing")
        with repository.begin() as uow:
            uow.jobs.claim(job.id, "w1", at(0), at(30))
            uow.commit()
        with repository.read() as uow:  # expired or not, the last holder is still named
            assert uow.jobs.lease_owner(job.id) == "w1"
        with repository.begin() as uow:
            uow.jobs.claim(job.id, "w2", at(31), at(60))
            uow.commit()
        with repository.read() as uow:
            assert uow.jobs.lease_owner(job.id) == "w2"

    def test_claim_many_is_a_compare_and_set_per_job_in_the_order_given(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        free = [self.add_job(repository, make_job(exp, circuit, i, t=i)) for i in (1, 2)]
        held = self.add_job(repository, make_job(exp, circuit, 3, t=3))
        done = self.add_job(repository, make_job(exp, circuit, 4, t=4, status=JobStatus.DONE))
        with repository.begin() as uow:
            uow.jobs.claim(held.id, "w1", at(0), at(30))
            uow.commit()
        ids = [free[1].id, held.id, done.id, "job_nothing", free[0].id]
        with repository.begin() as uow:
            owners = uow.jobs.lease_owners(ids)
            claimed = uow.jobs.claim_many(ids, "w2", at(10), at(40))
            assert uow.jobs.claim_many([], "w2", at(10), at(40)) == []
            assert uow.jobs.lease_owners([]) == {}
            uow.commit()
        assert owners == {free[1].id: None, held.id: "w1", done.id: None, free[0].id: None}
        assert [j.id for j in claimed] == [free[1].id, free[0].id]
        assert all(j.lease_owner == "w2" and j.attempts == 1 for j in claimed)
        assert claimed[0] == self.read_job(repository, free[1].id)
        assert self.read_job(repository, held.id).lease_owner == "w1"
        with repository.begin() as uow:  # none of them is free now, until the leases expire
            assert uow.jobs.claim_many(ids, "w3", at(20), at(50)) == []
            again = uow.jobs.claim_many(ids, "w3", at(41), at(70))
            uow.commit()
        assert [j.id for j in again] == [free[1].id, held.id, free[0].id]
        assert [j.attempts for j in again] == [2, 2, 2]

    def test_claimable_skips_final_jobs_and_orders_oldest_first(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        self.add_job(repository, make_job(exp, circuit, 1, t=5))
        self.add_job(repository, make_job(exp, circuit, 2, t=1))
        self.add_job(repository, make_job(exp, circuit, 3, t=0, status=JobStatus.DONE))
        with repository.begin() as uow:
            assert uow.jobs.claimable(at(10), 10) == [f"job_{exp.id}_2", f"job_{exp.id}_1"]
            assert len(uow.jobs.claimable(at(10), 1)) == 1

    def test_save_refuses_another_lease_and_final_jobs(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        job = self.add_job(repository, make_job(exp, circuit))
        with repository.begin() as uow:
            claimed = uow.jobs.claim(job.id, "w1", at(0), at(30))
            uow.commit()
        with pytest.raises(LeaseLost), repository.begin() as uow:
            uow.jobs.save(replace(claimed, error="by w2"), lease_owner="w2")
        with repository.begin() as uow:
            uow.jobs.save(replace(claimed, status=JobStatus.DONE, error="done"), lease_owner="w1")
            uow.commit()
        with pytest.raises(LeaseLost), repository.begin() as uow:
            uow.jobs.save(replace(claimed, error="after final"), lease_owner="w1")
        with pytest.raises(LeaseLost), repository.begin() as uow:
            uow.jobs.save(replace(claimed, error="after final"), lease_owner=None)
        assert self.read_job(repository, job.id).error == "done"

    def test_save_never_rewrites_the_request(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        job = self.add_job(repository, make_job(exp, circuit))
        with repository.begin() as uow:
            claimed = uow.jobs.claim(job.id, "w1", at(0), at(30))
            changed = replace(
                claimed,
                parameters=[[[9.0]]],
                name="renamed",
                shots=1,
                status=JobStatus.RUNNING,
                progress=Progress(1, 2),
            )
            uow.jobs.save(changed, lease_owner="w1")
            uow.commit()
        stored = self.read_job(repository, job.id)
        assert stored.parameters == job.parameters and stored.name == job.name
        assert stored.shots == job.shots
        assert stored.status is JobStatus.RUNNING and stored.progress == Progress(1, 2)

    def test_save_with_expected_status_is_a_compare_and_set(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        job = self.add_job(repository, make_job(exp, circuit, status=JobStatus.QUEUED))
        with pytest.raises(LeaseLost), repository.begin() as uow:
            uow.jobs.save(
                replace(job, status=JobStatus.CANCELLED),
                lease_owner=None,
                expected_status=JobStatus.SUBMITTED,
            )
        with repository.begin() as uow:
            uow.jobs.save(
                replace(job, status=JobStatus.CANCELLED),
                lease_owner=None,
                expected_status=JobStatus.QUEUED,
            )
            uow.commit()
        assert self.read_job(repository, job.id).status is JobStatus.CANCELLED

    def test_cancel_requests_survive_a_workers_save(self, repository):
        (alice, exp, circuit), (bob, _, _) = self.seed(repository, ("alice", "bob"))
        job = self.add_job(repository, make_job(exp, circuit))
        with repository.begin() as uow:
            claimed = uow.jobs.claim(job.id, "w1", at(0), at(30))
            uow.commit()
        with repository.begin() as uow:
            with pytest.raises(NotFound):
                uow.jobs.request_cancel(bob.id, job.id)
            assert uow.jobs.request_cancel(alice.id, job.id).cancel_requested
            uow.commit()
        with repository.begin() as uow:  # the worker's copy still says False
            uow.jobs.save(replace(claimed, progress=Progress(1, 2)), lease_owner="w1")
            uow.commit()
        stored = self.read_job(repository, job.id)
        assert stored.cancel_requested and stored.progress == Progress(1, 2)

    # -- secrets --------------------------------------------------------------------------

    # -- leases: heartbeat and hand-back ------------------------------------------------------

    def test_renew_moves_only_the_expiry_of_a_lease_held(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        job = self.add_job(repository, make_job(exp, circuit))
        with repository.begin() as uow:
            uow.jobs.claim(job.id, "w1", at(0), at(30))
            uow.commit()
        with repository.begin() as uow:
            assert uow.jobs.renew(job.id, "w1", at(90))
            assert not uow.jobs.renew(job.id, "w2", at(120))  # not its lease
            uow.commit()
        stored = self.read_job(repository, job.id)
        assert (stored.lease_owner, stored.lease_expires_at) == ("w1", at(90))
        assert replace(stored, lease_expires_at=None, lease_owner=None, attempts=0) == job

    def test_hand_back_frees_the_job_for_any_worker_at_once(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        job = self.add_job(repository, make_job(exp, circuit))
        with repository.begin() as uow:
            uow.jobs.claim(job.id, "w1", at(0), at(30))
            assert not uow.jobs.hand_back(job.id, "w2")
            assert uow.jobs.hand_back(job.id, "w1")
            uow.commit()
        with repository.begin() as uow:
            assert uow.jobs.claimable(at(1), 10) == [job.id]  # long before the lease's end
            assert uow.jobs.claim(job.id, "w2", at(1), at(31)).attempts == 2

    def test_a_read_unit_of_work_sees_committed_state(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        job = self.add_job(repository, make_job(exp, circuit))
        with repository.read() as uow:
            assert uow.jobs.get(alice.id, job.id) == job
            assert [j.id for j in uow.jobs.list(alice.id, JobFilter())] == [job.id]

    # -- shards -----------------------------------------------------------------------------

    def shard_job(self, repository, shards=3):
        ((alice, exp, circuit),) = self.seed(repository)
        job = self.add_job(repository, make_job(exp, circuit))
        layout = [Shard(i, 4 * i, 4) for i in range(shards)]
        with repository.begin() as uow:
            uow.jobs.claim(job.id, "w1", at(0), at(30))
            uow.shards.create(job.id, layout)
            uow.commit()
        return job, layout

    def test_shards_are_created_once_and_listed_in_order(self, repository):
        job, layout = self.shard_job(repository)
        with repository.begin() as uow, pytest.raises(Conflict):
            uow.shards.create(job.id, layout)
        with repository.read() as uow:
            records = uow.shards.list(job.id)
        assert [r.shard for r in records] == layout
        assert {r.status for r in records} == {ShardStatus.PENDING}
        assert all(r.attempts == 0 and r.outputs is None for r in records)

    def test_a_shard_claim_is_a_compare_and_set_with_its_own_lease(self, repository):
        job, _ = self.shard_job(repository)
        with repository.begin() as uow:
            first = uow.shards.claim(job.id, 1, "w1", at(0), at(30))
            assert uow.shards.claim(job.id, 1, "w2", at(10), at(40)) is None  # held
            assert uow.shards.claim(job.id, 9, "w2", at(10), at(40)) is None  # no such shard
            uow.commit()
        assert first.status is ShardStatus.RUNNING and first.attempts == 1
        with repository.begin() as uow:
            assert uow.shards.renew(job.id, "w1", at(60)) == 1
            assert uow.shards.claim(job.id, 1, "w2", at(31), at(70)) is None  # renewed
            again = uow.shards.claim(job.id, 1, "w2", at(61), at(90))  # expired: taken over
            uow.commit()
        assert again.lease_owner == "w2" and again.attempts == 2
        with repository.begin() as uow, pytest.raises(LeaseLost):  # w1 lost it: not stored
            uow.shards.complete(job.id, 1, "w1", [{"0": 1}] * 4, [], at(1), at(2))

    def test_completed_shards_keep_outputs_exactly_and_cannot_run_again(self, repository):
        job, _ = self.shard_job(repository)
        outputs = [{"00": 3, "11": 1}, [[0.5, 0.5], [0.0, -0.25]], [1.0, -0.5], {"1": 0.25}]
        with repository.begin() as uow:
            uow.shards.claim(job.id, 0, "w1", at(0), at(30))
            uow.shards.complete(job.id, 0, "w1", outputs, ["note a"], at(1), at(3.5))
            uow.commit()
        with repository.read() as uow:
            done, *rest = uow.shards.list(job.id, outputs=True)
            summary = uow.shards.list(job.id)[0]
        assert done.status is ShardStatus.DONE and done.outputs == outputs
        assert done.notes == ("note a",) and done.seconds == 2.5 and done.lease_owner is None
        assert summary.outputs is None and summary.status is ShardStatus.DONE
        assert all(r.outputs is None for r in rest)
        with repository.begin() as uow:
            assert uow.shards.claim(job.id, 0, "w2", at(100), at(130)) is None

    def test_release_hands_back_only_the_running_shards_of_that_worker(self, repository):
        job, _ = self.shard_job(repository)
        with repository.begin() as uow:
            uow.shards.claim(job.id, 0, "w1", at(0), at(30))
            uow.shards.complete(job.id, 0, "w1", [1.0] * 4, [], at(0), at(1))
            uow.shards.claim(job.id, 1, "w1", at(1), at(31))
            uow.shards.claim(job.id, 2, "w2", at(1), at(31))
            assert uow.shards.release(job.id, "w1") == 1
            uow.commit()
        with repository.read() as uow:
            statuses = [(r.status, r.lease_owner) for r in uow.shards.list(job.id)]
        assert statuses == [
            (ShardStatus.DONE, None),
            (ShardStatus.PENDING, None),
            (ShardStatus.RUNNING, "w2"),
        ]

    def test_open_jobs_are_running_jobs_with_a_free_shard_and_tally_counts_what_is_done(
        self, repository
    ):
        job, _ = self.shard_job(repository)
        with repository.begin() as uow:
            assert uow.shards.open_jobs(at(0), 10) == []  # not Running yet
            running = replace(job, status=JobStatus.RUNNING, lease_owner="w1")
            uow.jobs.save(running, lease_owner="w1")
            assert uow.shards.open_jobs(at(0), 10) == [job.id]
            for index in range(3):
                uow.shards.claim(job.id, index, f"w{index}", at(0), at(30))
            assert uow.shards.open_jobs(at(10), 10) == []  # every shard held
            assert uow.shards.open_jobs(at(31), 10) == [job.id]  # leases expired
            uow.shards.complete(job.id, 0, "w0", [1.0] * 4, [], at(1), at(2))
            assert uow.shards.tally(job.id) == (4, 2)
            uow.commit()
        with repository.begin() as uow:
            uow.jobs.request_cancel(job.owner_id, job.id)
            assert uow.shards.open_jobs(at(31), 10) == []  # being cancelled: no help
            uow.commit()

    def test_take_over_and_record_progress_need_no_lease_but_a_live_job(self, repository):
        job, _ = self.shard_job(repository)
        with repository.begin() as uow:
            assert uow.jobs.lock(job.id).lease_owner == "w1"
            uow.jobs.record_progress(job.id, 5)
            assert uow.jobs.take_over(job.id, "w2", at(40))
            uow.commit()
        with repository.read() as uow:
            stored = uow.jobs.get_for_worker(job.id)
        assert stored.lease_owner == "w2" and stored.progress.done == 5
        with repository.begin() as uow:
            ended = replace(stored, status=JobStatus.ERROR, error="x")
            uow.jobs.save(ended, lease_owner="w2")
            uow.jobs.record_progress(job.id, 9)
            assert not uow.jobs.take_over(job.id, "w3", at(50))
            uow.commit()
        with repository.read() as uow:
            assert uow.jobs.get_for_worker(job.id).progress.done == 5

    def test_deleting_a_jobs_shards_leaves_other_jobs_alone(self, repository):
        job, layout = self.shard_job(repository)
        ((_, exp, circuit),) = self.seed(repository, users=("bob",))
        other = self.add_job(repository, make_job(exp, circuit, 2))
        with repository.begin() as uow:
            uow.shards.create(other.id, layout[:1])
            uow.shards.delete(job.id)
            uow.commit()
        with repository.read() as uow:
            assert uow.shards.list(job.id) == []
            assert len(uow.shards.list(other.id)) == 1

    def test_sealed_secrets_put_get_delete(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        job = self.add_job(repository, make_job(exp, circuit))
        with repository.begin() as uow:
            uow.secrets.put(job.id, b"\x00sealed\xff")
            uow.commit()
        with repository.begin() as uow:
            assert uow.secrets.get(job.id) == b"\x00sealed\xff"
            uow.secrets.delete(job.id)
            uow.secrets.delete(job.id)  # harmless twice
            uow.commit()
        with repository.begin() as uow:
            assert uow.secrets.get(job.id) is None

    def test_sealed_secrets_of_several_jobs_at_once(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        one, two, none = (self.add_job(repository, make_job(exp, circuit, i)) for i in (1, 2, 3))
        with repository.begin() as uow:
            uow.secrets.put(one.id, b"\x00one")
            uow.secrets.put(two.id, b"two\xff")
            uow.commit()
        with repository.read() as uow:
            found = uow.secrets.get_many([two.id, none.id, one.id, "job_nothing"])
            assert found == {one.id: b"\x00one", two.id: b"two\xff"}
            assert uow.secrets.get_many([]) == {}

    # -- billing --------------------------------------------------------------------------

    def test_ledger_reserve_charge_release(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        job = self.add_job(repository, make_job(exp, circuit))
        with repository.begin() as uow:
            uow.billing.credit(alice.id, Decimal("10"), "start")
            uow.billing.reserve(alice.id, job.id, Decimal("4.5"))
            uow.commit()
        with repository.begin() as uow:
            assert uow.billing.balance(alice.id) == Decimal("5.5")
            with pytest.raises(PaymentRequired):
                uow.billing.reserve(alice.id, "job_other", Decimal("6"))
        with repository.begin() as uow:
            assert uow.billing.charge(alice.id, job.id, Decimal("1.25")) == Decimal("1.25")
            assert uow.billing.charge(alice.id, job.id, Decimal("1.25")) == Decimal(0)
            assert uow.billing.release(alice.id, job.id) == Decimal("3.25")
            assert uow.billing.release(alice.id, job.id) == Decimal(0)
            uow.commit()
        with repository.begin() as uow:
            assert uow.billing.balance(alice.id) == Decimal("8.75")
            entries = uow.billing.entries(alice.id)
            assert [e.kind for e in entries] == [
                EntryKind.CREDIT,
                EntryKind.RESERVE,
                EntryKind.RELEASE,
                EntryKind.CHARGE,
                EntryKind.RELEASE,
            ]
            assert sum(e.amount for e in entries) == uow.billing.balance(alice.id)

    def test_a_charge_never_exceeds_the_reservation(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        job = self.add_job(repository, make_job(exp, circuit))
        with repository.begin() as uow:
            uow.billing.credit(alice.id, Decimal("2"))
            uow.billing.reserve(alice.id, job.id, Decimal("1"))
            assert uow.billing.charge(alice.id, job.id, Decimal("5")) == Decimal("1")
            uow.commit()
        with repository.begin() as uow:
            assert uow.billing.balance(alice.id) == Decimal("1")

    def test_micro_dollar_amounts_add_up_exactly(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        with repository.begin() as uow:
            for _ in range(10):
                uow.billing.credit(alice.id, Decimal("0.000001"))
            uow.commit()
        with repository.begin() as uow:
            assert uow.billing.balance(alice.id) == Decimal("0.00001")

    # -- atomicity ------------------------------------------------------------------------

    def test_a_failed_unit_of_work_stores_nothing(self, repository):
        ((alice, exp, circuit),) = self.seed(repository)
        new_circuit = make_circuit(exp, "h9")
        job = make_job(exp, new_circuit)
        with pytest.raises(PaymentRequired), repository.begin() as uow:
            uow.circuits.add(new_circuit)
            uow.jobs.add(job)
            uow.secrets.put(job.id, b"sealed")
            uow.billing.reserve(alice.id, job.id, Decimal("1"))  # balance 0: refused
            uow.commit()
        with repository.begin() as uow:
            with pytest.raises(NotFound):
                uow.circuits.get(alice.id, new_circuit.id)
            with pytest.raises(NotFound):
                uow.jobs.get(alice.id, job.id)
            assert uow.secrets.get(job.id) is None
            assert uow.billing.entries(alice.id) == []

    def test_without_commit_nothing_is_kept(self, repository):
        user = make_user()
        with repository.begin() as uow:
            uow.users.add(user)
        with repository.begin() as uow:
            assert uow.users.by_name("alice") is None

    def test_a_job_id_of_another_user_moves_none_of_this_users_money(self, repository):
        (alice, exp, circuit), (bob, _, _) = self.seed(repository, ("alice", "bob"))
        job = self.add_job(repository, make_job(exp, circuit))
        with repository.begin() as uow:
            uow.billing.credit(alice.id, Decimal("5"))
            uow.billing.credit(bob.id, Decimal("5"))
            uow.billing.reserve(alice.id, job.id, Decimal("2"))
            uow.commit()
        with repository.begin() as uow:
            assert uow.billing.charge(bob.id, job.id, Decimal("2")) == Decimal(0)
            assert uow.billing.release(bob.id, job.id) == Decimal(0)
            uow.commit()
        with repository.begin() as uow:
            assert uow.billing.balance(alice.id) == Decimal("3")
            assert uow.billing.balance(bob.id) == Decimal("5")
