"""The ReportStore contract (`uow.reports`): every repository answers the same.

Subclass `ReportContract` and provide a `repository` fixture that yields an empty repository.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from qdispatch_core.domain import Cost, JobStatus, Progress
from qdispatch_core.ports import JobQuery, JobSort, Repository
from tests.contract.repository_contract import (
    at,
    make_circuit,
    make_experiment,
    make_job,
    make_user,
)


class ReportContract:
    @pytest.fixture
    def repository(self) -> Repository:  # pragma: no cover - overridden by subclasses
        raise NotImplementedError

    # -- a small world: alice with two experiments and five jobs, bob with one ---------------

    @pytest.fixture
    def world(self, repository):
        alice, bob = make_user("alice", 0), make_user("bob", 1)
        exp_a = make_experiment(alice, "first", 0)
        exp_b = make_experiment(alice, "second", 10)
        empty = make_experiment(alice, "empty", 20)
        exp_bob = make_experiment(bob, "first", 0)
        # Ids with LIKE wildcards in them: "cir_x" must not match "cirAx".
        c1 = replace(make_circuit(exp_a, "h1", 1), id="cir_x")
        c2 = replace(make_circuit(exp_a, "h2", 2), id="cirAx")
        c3 = make_circuit(exp_b, "h3", 11)
        c_bob = make_circuit(exp_bob, "h4", 1)
        jobs = [
            make_job(exp_a, c1, 1, 3, device_id="dev_b", status=JobStatus.DONE,
                     finished_at=at(50), name="beta"),
            make_job(exp_a, c2, 2, 4, device_id="dev_a", status=JobStatus.RUNNING,
                     name="alpha"),
            make_job(exp_a, c1, 3, 5, device_id="dev_a", status=JobStatus.DONE, dry_run=True,
                     finished_at=at(6), name="gamma"),
            make_job(exp_b, c3, 4, 12, device_id="dev_c", status=JobStatus.ERROR,
                     finished_at=at(40), name="delta", cost=Cost.free()),
            make_job(exp_b, c3, 5, 13, device_id="dev_b", status=JobStatus.SUBMITTED,
                     name="epsilon", progress=Progress(1, 4)),
        ]  # fmt: skip
        bob_job = make_job(exp_bob, c_bob, 1, 2, device_id="dev_a", status=JobStatus.DONE)
        with repository.begin() as uow:
            for user in (alice, bob):
                uow.users.add(user)
            for exp in (exp_a, exp_b, empty, exp_bob):
                uow.experiments.add(exp)
            for circuit in (c1, c2, c3, c_bob):
                uow.circuits.add(circuit)
            for job in [*jobs, bob_job]:
                uow.jobs.add(job)
            uow.billing.credit(alice.id, Decimal("100"))
            uow.billing.credit(bob.id, Decimal("100"))
            # job 1 charged 1.25 of 4; job 4 charged 0.5 of 1; job 5 still holds 2; job 2
            # holds 3; bob's job is charged 7.
            for job, held, charged in ((jobs[0], "4", "1.25"), (jobs[3], "1", "0.5")):
                uow.billing.reserve(alice.id, job.id, Decimal(held))
                uow.billing.charge(alice.id, job.id, Decimal(charged))
                uow.billing.release(alice.id, job.id)
            uow.billing.reserve(alice.id, jobs[4].id, Decimal("2"))
            uow.billing.reserve(alice.id, jobs[1].id, Decimal("3"))
            uow.billing.reserve(bob.id, bob_job.id, Decimal("7"))
            uow.billing.charge(bob.id, bob_job.id, Decimal("7"))
            uow.commit()
        return {"alice": alice, "bob": bob, "exps": (exp_a, exp_b, empty), "jobs": jobs,
                "circuits": (c1, c2, c3), "bob_job": bob_job}  # fmt: skip

    def search(self, repository, owner, **query):
        with repository.begin() as uow:
            return [j.id for j in uow.reports.search_jobs(owner.id, JobQuery(**query))]

    def ids(self, world, *numbers):
        return [world["jobs"][n - 1].id for n in numbers]

    # -- experiments -------------------------------------------------------------------------

    def test_experiment_summaries_count_circuits_jobs_and_spend(self, repository, world):
        exp_a, exp_b, empty = world["exps"]
        with repository.begin() as uow:
            summaries = uow.reports.experiment_summaries(world["alice"].id)
        assert [s.experiment for s in summaries] == [empty, exp_b, exp_a]  # newest first
        by_id = {s.experiment.id: s for s in summaries}
        a, b, e = by_id[exp_a.id], by_id[exp_b.id], by_id[empty.id]
        assert (a.circuits, a.jobs, a.active_jobs, a.spent_usd) == (2, 3, 1, Decimal("1.25"))
        assert (b.circuits, b.jobs, b.active_jobs, b.spent_usd) == (1, 2, 1, Decimal("0.5"))
        assert (e.circuits, e.jobs, e.active_jobs, e.spent_usd) == (0, 0, 0, Decimal(0))
        assert a.last_activity == at(50)  # job 1 finished last
        assert b.last_activity == at(40)
        assert e.last_activity == empty.created_at
        assert a.last_activity.tzinfo is not None

    def test_experiment_summaries_are_scoped_to_the_owner(self, repository, world):
        with repository.begin() as uow:
            bobs = uow.reports.experiment_summaries(world["bob"].id)
            nobody = uow.reports.experiment_summaries("usr_nobody")
        assert [(s.jobs, s.spent_usd) for s in bobs] == [(1, Decimal(7))]
        assert nobody == []

    # -- job listings ------------------------------------------------------------------------

    def test_listing_carries_the_summary_fields_and_the_charge(self, repository, world):
        with repository.begin() as uow:
            listed = {j.id: j for j in uow.reports.search_jobs(world["alice"].id, JobQuery())}
        first, fourth, fifth = (listed[i] for i in self.ids(world, 1, 4, 5))
        job = world["jobs"][0]
        assert (first.name, first.device_id, first.status, first.created_at) == (
            "beta", "dev_b", JobStatus.DONE, job.created_at)  # fmt: skip
        assert first.estimated_cost == job.estimated_cost and first.finished_at == at(50)
        assert first.charged_usd == Decimal("1.25") and first.use_mitigation is True
        assert fourth.cost == Cost.free() and fourth.charged_usd == Decimal("0.5")
        assert fifth.progress == Progress(1, 4) and fifth.charged_usd == 0
        assert fifth.cost is None and not fifth.is_final

    def test_default_order_is_newest_first_and_scoped(self, repository, world):
        assert self.search(repository, world["alice"]) == self.ids(world, 5, 4, 3, 2, 1)
        assert self.search(repository, world["bob"]) == [world["bob_job"].id]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"experiment_id": "exp_alice_second"}, (5, 4)),
            ({"statuses": (JobStatus.DONE,)}, (3, 1)),
            ({"statuses": (JobStatus.RUNNING, JobStatus.SUBMITTED)}, (5, 2)),
            ({"device_id": "dev_a"}, (3, 2)),
            ({"dry_run": True}, (3,)),
            ({"dry_run": False}, (5, 4, 2, 1)),
            ({"circuit_id": "cir_x"}, (3, 1)),
            ({"circuit_id": "cirAx"}, (2,)),
            ({"circuit_id": "cir_"}, ()),
            ({"created_from": at(4), "created_before": at(12)}, (3, 2)),
            ({"device_id": "dev_b", "statuses": (JobStatus.DONE,)}, (1,)),
        ],
    )
    def test_filters(self, repository, world, query, expected):
        assert self.search(repository, world["alice"], **query) == self.ids(world, *expected)

    @pytest.mark.parametrize(
        ("sort", "descending", "expected"),
        [
            (JobSort.CREATED, False, (1, 2, 3, 4, 5)),
            (JobSort.NAME, False, (2, 1, 4, 5, 3)),
            (JobSort.NAME, True, (3, 5, 4, 1, 2)),
            # Ties keep newest first whichever way the key goes.
            (JobSort.DEVICE, False, (3, 2, 5, 1, 4)),
            (JobSort.DEVICE, True, (4, 5, 1, 3, 2)),
            # A job's life order: Submitted … Running, Done, Error, Cancelled.
            (JobSort.STATUS, False, (5, 2, 3, 1, 4)),
            (JobSort.COST, True, (1, 4, 5, 3, 2)),
            (JobSort.COST, False, (5, 3, 2, 4, 1)),
            # Not finished yet sorts last in both directions.
            (JobSort.FINISHED, True, (1, 4, 3, 5, 2)),
            (JobSort.FINISHED, False, (3, 4, 1, 5, 2)),
        ],
    )
    def test_sorts(self, repository, world, sort, descending, expected):
        got = self.search(repository, world["alice"], sort=sort, descending=descending)
        assert got == self.ids(world, *expected)

    def test_limit_and_offset_page_through(self, repository, world):
        alice = world["alice"]
        pages = [self.search(repository, alice, limit=2, offset=o) for o in (0, 2, 4, 6)]
        assert pages == [self.ids(world, 5, 4), self.ids(world, 3, 2), self.ids(world, 1), []]

    # -- money -------------------------------------------------------------------------------

    def test_spending_today_per_device_and_experiment(self, repository, world):
        now = datetime.now(UTC)
        with repository.begin() as uow:
            rows = uow.reports.spending(
                world["alice"].id, now - timedelta(days=1), now + timedelta(days=1)
            )
            later = uow.reports.spending(
                world["alice"].id, now + timedelta(hours=1), now + timedelta(days=1)
            )
        exp_a, exp_b, _ = world["exps"]
        got = {(r.device_id, r.experiment_id): (r.usd, r.jobs) for r in rows}
        assert got == {
            ("dev_b", exp_a.id): (Decimal("1.25"), 1),
            ("dev_c", exp_b.id): (Decimal("0.5"), 1),
        }
        assert {r.day for r in rows} <= {(now + timedelta(hours=h)).date() for h in (-1, 0, 1)}
        assert later == []

    def test_spending_of_a_job_that_is_gone_has_no_device(self, repository, world):
        now = datetime.now(UTC)
        alice = world["alice"]
        with repository.begin() as uow:
            uow.billing.reserve(alice.id, "job_deleted_long_ago", Decimal("1"))
            uow.billing.charge(alice.id, "job_deleted_long_ago", Decimal("0.75"))
            uow.commit()
        with repository.begin() as uow:
            rows = uow.reports.spending(alice.id, now - timedelta(days=1), now + timedelta(days=1))
        gone = [r for r in rows if r.device_id is None]
        assert [(r.experiment_id, r.usd, r.jobs) for r in gone] == [(None, Decimal("0.75"), 1)]

    def test_open_reservations(self, repository, world):
        with repository.begin() as uow:
            held = uow.reports.open_reservations(world["alice"].id)
            bobs = uow.reports.open_reservations(world["bob"].id)
        second, fifth = world["jobs"][1], world["jobs"][4]
        assert [(r.job_id, r.held_usd) for r in held] == [
            (fifth.id, Decimal("2")),  # reserved first
            (second.id, Decimal("3")),
        ]
        assert (held[1].job_name, held[1].device_id, held[1].status) == (
            "alpha", "dev_a", JobStatus.RUNNING)  # fmt: skip
        assert held[0].since <= held[1].since and held[0].since.tzinfo is not None
        assert bobs == []  # charged in full: nothing held
