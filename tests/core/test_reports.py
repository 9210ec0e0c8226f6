"""The read-only report use cases, on the fakes: job search (parsing, 400s, 404s, paging),
spending and account overviews, circuit drawings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import BadRequest, NotFound
from qdispatch_core.ports import JobSort, SpendRow
from qdispatch_core.usecases import create_experiment, ensure_user, submit_circuit, submit_run
from qdispatch_core.usecases.reports import (
    DRAW_MAX_GATES,
    account_overview,
    circuit_drawing,
    experiment_overview,
    get_circuits,
    job_query,
    search_jobs,
    spending_report,
    summarise_spending,
)
from tests.conftest import run_all
from tests.samples import BELL_QASM2, ghz


def _run(services, user, experiment, device="dummy_simulator", **extra):
    request = {"experiment_id": experiment.id, "circuits_qasm": [BELL_QASM2],
               "device_id": device, "shots": 100, **extra}  # fmt: skip
    if device == "dummy_qpu":
        request["options"] = {"fake_token": "secret"}
    return submit_run(services, user, request).job_id


# -- parsing a query -------------------------------------------------------------------------


def test_job_query_reads_strings_from_a_url(services):
    q = job_query(
        services,
        status="Done,Running",
        dry_run="no",
        created_from="2026-01-01",
        created_to="2026-01-31",
        sort="cost",
        order="asc",
        limit="20",
        offset="40",
    )
    assert q.statuses == (JobStatus.DONE, JobStatus.RUNNING) and q.dry_run is False
    assert q.created_from == datetime(2026, 1, 1, tzinfo=UTC)
    assert q.created_before == datetime(2026, 2, 1, tzinfo=UTC)  # the last day is included
    assert (q.sort, q.descending, q.limit, q.offset) == (JobSort.COST, False, 20, 40)
    empty = job_query(services, status="", dry_run="", experiment_id="", device_id="")
    assert (empty.statuses, empty.dry_run, empty.experiment_id, empty.device_id) == (
        (), None, None, None)  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("status", "Finished", "status: expected one of Submitted, "),
        ("dry_run", "maybe", "dry_run: expected true or false"),
        ("created_from", "01/02/2026", "created_from: expected a date YYYY-MM-DD"),
        ("sort", "colour", "sort: expected one of created, finished"),
        ("order", "up", "order: expected one of asc, desc"),
        ("limit", "0", "limit: expected a whole number 1..1000"),
        ("limit", "ten", "limit: expected a whole number"),
        ("offset", "-1", "offset: expected a whole number 0..1000000"),
    ],
)
def test_job_query_refuses_what_does_not_fit_naming_the_field(services, field, value, expected):
    with pytest.raises(BadRequest) as err:
        job_query(services, **{field: value})
    assert err.value.field == field and expected in err.value.message


def test_a_day_range_must_not_run_backwards(services):
    with pytest.raises(BadRequest) as err:
        job_query(services, created_from="2026-02-01", created_to="2026-01-31")
    assert err.value.field == "created_to"


# -- searching -------------------------------------------------------------------------------


def test_search_pages_and_filters_by_circuit(services, user, experiment, runner):
    ids = [_run(services, user, experiment, shots=s) for s in (10, 20, 30)]
    run_all(runner)
    first = search_jobs(services, user, job_query(services, limit=2))
    assert [j.id for j in first.items] == ids[::-1][:2] and first.has_more
    rest = search_jobs(services, user, job_query(services, limit=2, offset=2))
    assert [j.id for j in rest.items] == [ids[0]] and not rest.has_more
    circuit_id = submit_circuit(services, user, experiment.id, BELL_QASM2).id
    by_circuit = search_jobs(services, user, job_query(services, circuit_id=circuit_id))
    assert {j.id for j in by_circuit.items} == set(ids)  # the same source is one circuit


def test_search_filters_of_another_user_are_404(services, user, experiment):
    bob = ensure_user(services, "bob")
    circuit = submit_circuit(services, user, experiment.id, BELL_QASM2)
    for filters in ({"experiment_id": experiment.id}, {"circuit_id": circuit.id}):
        with pytest.raises(NotFound):
            search_jobs(services, bob, job_query(services, **filters))


# -- money -----------------------------------------------------------------------------------


def test_spending_and_account_follow_the_ledger(services, user, experiment, runner):
    held = _run(services, user, experiment, "dummy_qpu")  # 100 shots at $0.001: $0.10 held
    account = account_overview(services, user)
    assert account.balance == Decimal("99.9") and account.held == Decimal("0.1")
    assert [r.job_id for r in account.reservations] == [held]
    run_all(runner)
    account = account_overview(services, user)
    assert account.reservations == [] and account.balance == Decimal("99.9")
    report = spending_report(services, user, days="7")
    assert report.total == Decimal("0.1") and len(report.by_day) == 7
    assert report.by_day[-1] == (datetime.now(UTC).date(), Decimal("0.1"))
    assert [(s.key, s.usd, s.jobs) for s in report.by_device] == [("dummy_qpu", Decimal("0.1"), 1)]
    assert [s.key for s in report.by_experiment] == [experiment.id]
    with pytest.raises(BadRequest) as err:
        spending_report(services, user, days=0)
    assert err.value.field == "days"


spend_rows = st.lists(
    st.builds(
        SpendRow,
        day=st.dates(date(2026, 1, 1), date(2026, 1, 10)),
        device_id=st.sampled_from(["a", "b", None]),
        experiment_id=st.sampled_from(["x", "y", None]),
        usd=st.decimals(0, 1000, places=6),
        jobs=st.integers(1, 5),
    ),
    max_size=30,
)


@given(spend_rows)
def test_every_grouping_adds_up_to_the_same_total(rows):
    report = summarise_spending(rows, date(2026, 1, 1), date(2026, 1, 10))
    assert len(report.by_day) == 10 and [d for d, _ in report.by_day] == sorted(
        d for d, _ in report.by_day
    )
    assert sum(v for _, v in report.by_day) == report.total
    assert sum(s.usd for s in report.by_device) == report.total
    assert sum(s.usd for s in report.by_experiment) == report.total
    assert sum(s.jobs for s in report.by_device) == sum(r.jobs for r in rows)
    spends = [s.usd for s in report.by_device]
    assert spends == sorted(spends, reverse=True)


# -- experiments and circuits ----------------------------------------------------------------


def test_experiment_overview(services, user, experiment, runner):
    other = create_experiment(services, user, "other")
    _run(services, user, experiment)
    overview = experiment_overview(services, user)
    assert [s.experiment.id for s in overview] == [other.id, experiment.id]
    assert (overview[1].circuits, overview[1].jobs, overview[1].active_jobs) == (1, 1, 1)
    run_all(runner)
    assert experiment_overview(services, user)[1].active_jobs == 0


def test_circuits_in_order_and_drawn(services, user, experiment):
    a = submit_circuit(services, user, experiment.id, BELL_QASM2)
    b = submit_circuit(services, user, experiment.id, ghz(3))
    assert [c.id for c in get_circuits(services, user, [b.id, a.id])] == [b.id, a.id]
    assert get_circuits(services, user, []) == []
    drawing = circuit_drawing(services, user, a.id)
    assert drawing.text is not None and "cx q[0], q[1];" in drawing.text
    with pytest.raises(NotFound):
        circuit_drawing(services, ensure_user(services, "bob"), a.id)


def test_a_huge_circuit_is_not_drawn_and_says_why(services, user, experiment):
    circuit = submit_circuit(services, user, experiment.id, ghz(3))
    big = replace(circuit.analytics, gates_total=DRAW_MAX_GATES + 1)
    with services.repository.begin() as uow:
        uow.circuits.s.circuits[circuit.id] = replace(circuit, analytics=big)  # type: ignore[attr-defined]
        uow.commit()
    drawing = circuit_drawing(services, user, circuit.id)
    assert drawing.text is None and f"{DRAW_MAX_GATES + 1} gates" in drawing.reason
