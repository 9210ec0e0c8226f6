"""What the row conversion guarantees beyond the contract: UTC datetimes, no credentials."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.contract.repository_contract import RepositoryContract, make_job, make_user


def test_datetimes_in_any_zone_read_back_as_the_same_instant_in_utc(sql_repository):
    tokyo = timezone(timedelta(hours=9))
    user = make_user()
    user = type(user)(user.id, user.name, datetime(2026, 5, 1, 9, 30, 0, 123456, tzinfo=tokyo))
    with sql_repository.begin() as uow:
        uow.users.add(user)
        uow.commit()
    with sql_repository.begin() as uow:
        stored = uow.users.get(user.id).created_at
    assert stored == user.created_at and stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0) and stored.microsecond == 123456


def test_naive_datetimes_are_refused(sql_repository):
    user = make_user()
    naive = type(user)(user.id, user.name, datetime(2026, 5, 1))
    with pytest.raises(Exception, match="naive datetime"), sql_repository.begin() as uow:
        uow.users.add(naive)


def test_credentials_in_job_options_are_refused(sql_repository):
    ((_, experiment, circuit),) = RepositoryContract().seed(sql_repository)
    job = make_job(experiment, circuit, options={"seed": 1, "ibm_quantum_token": "tok"})
    with (
        pytest.raises(ValueError, match="refusing to store credentials"),
        sql_repository.begin() as u,
    ):
        u.jobs.add(job)
