"""The ledger: properties of every sequence of operations, rounding, append-only entries."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdispatch_core.domain import User
from qdispatch_core.errors import PaymentRequired
from qdispatch_core.testing import InMemoryRepository
from tests.contract.repository_contract import T0

JOBS = ("job_a", "job_b", "job_c")
micro_dollars = st.integers(1, 5_000_000).map(lambda m: Decimal(m).scaleb(-6))
operations = st.lists(
    st.tuples(
        st.sampled_from(["credit", "reserve", "charge", "release"]),
        st.sampled_from(JOBS),
        micro_dollars,
    ),
    max_size=12,
)
_users = itertools.count()


def new_user(*repositories) -> str:
    n = next(_users)
    user = User(f"usr_{n}", f"user {n}", T0)
    for repository in repositories:
        with repository.begin() as uow:
            uow.users.add(user)
            uow.commit()
    return user.id


def apply(repository, user_id: str, operation: str, job: str, amount: Decimal):
    """One operation in its own unit of work; what it returned, or the refusal."""
    job_id = f"{user_id}_{job}"  # examples share a database, never a job
    calls = {
        "credit": lambda billing: billing.credit(user_id, amount),
        "reserve": lambda billing: billing.reserve(user_id, job_id, amount),
        "charge": lambda billing: billing.charge(user_id, job_id, amount),
        "release": lambda billing: billing.release(user_id, job_id),
    }
    try:
        with repository.begin() as uow:
            result = calls[operation](uow.billing)
            uow.commit()
            return result
    except PaymentRequired:
        return "402"


def ledger(repository, user_id: str):
    with repository.begin() as uow:
        return uow.billing.balance(user_id), uow.billing.entries(user_id)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # one user per example
)
@given(ops=operations)
def test_the_ledger_adds_up_and_matches_the_reference(sql_repository, ops):
    reference = InMemoryRepository()
    user_id = new_user(sql_repository, reference)
    for op in ops:
        assert apply(sql_repository, user_id, *op) == apply(reference, user_id, *op)
        balance, entries = ledger(sql_repository, user_id)
        assert balance == sum((e.amount for e in entries), Decimal(0))
        assert balance >= 0
        expected_balance, expected_entries = ledger(reference, user_id)
        assert balance == expected_balance
        assert [(e.kind, e.amount, e.job_id) for e in entries] == [
            (e.kind, e.amount, e.job_id) for e in expected_entries
        ]


def test_amounts_finer_than_a_micro_dollar_round_in_the_house_favour(sql_repository):
    user_id = new_user(sql_repository)
    with sql_repository.begin() as uow:
        uow.billing.credit(user_id, Decimal("1.0000009"))  # credits round down
        uow.billing.reserve(user_id, "job_a", Decimal("0.1000001"))  # holds round up
        assert uow.billing.charge(user_id, "job_a", Decimal("0.0500001")) == Decimal("0.050001")
        with pytest.raises(ValueError, match="at least"):
            uow.billing.credit(user_id, Decimal("0.0000001"))
        uow.commit()
    balance, entries = ledger(sql_repository, user_id)
    assert [e.amount for e in entries] == [
        Decimal("1"),
        Decimal("-0.100001"),
        Decimal("0.050001"),
        Decimal("-0.050001"),
    ]
    assert balance == Decimal("0.899999")


def test_ledger_entries_cannot_be_changed_or_deleted(sql_repository):
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DatabaseError

    from qdispatch_sql.schema import ledger_entries

    user_id = new_user(sql_repository)
    with sql_repository.begin() as uow:
        uow.billing.credit(user_id, Decimal(5))
        uow.commit()
    for statement in (update(ledger_entries).values(amount_micros=10**12), delete(ledger_entries)):
        with pytest.raises(DatabaseError, match="append-only"), sql_repository.engine.begin() as c:
            c.execute(statement)
    assert ledger(sql_repository, user_id)[0] == Decimal(5)
