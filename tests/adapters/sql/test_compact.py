"""Compact results: exact round trips, small blobs, and fast enough for big results."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdispatch_core.domain import JobStatus, RunType
from qdispatch_sql.compact import decode, encode
from tests.contract.repository_contract import RepositoryContract, make_job

json_like = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),  # beyond 64 bits too
        st.floats(),  # NaN, infinities and -0.0 included
        st.text(),
        st.dictionaries(st.text("01", max_size=8), st.integers(0, 2**40)),  # counts
        st.dictionaries(st.text("01", max_size=8), st.floats()),  # quasi-probabilities
        st.lists(st.floats()),  # state-vector parts
    ),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


def same(a, b) -> bool:
    """Equal with the same types all the way down, and floats equal bit for bit."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return math.copysign(1, a) == math.copysign(1, b) and (a == b or (a != a and b != b))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


@settings(max_examples=300, deadline=None)
@given(json_like)
def test_every_value_reads_back_exactly(value):
    assert same(decode(encode(value)), value)


def counts(n: int) -> dict[str, int]:
    return {format(i, "016b"): (i * 7919) % 1000 + 1 for i in range(n)}


def test_large_results_are_several_times_smaller_than_json():
    big_counts = [counts(65_536)]
    state = [[[(-1) ** i * i / 2**16 for i in range(2**16)], [0.0] * 2**16]]
    assert len(encode(big_counts)) < len(json.dumps(big_counts)) / 4
    assert len(encode(state)) <= 16 * 2**16 + 100  # raw float64s, no text


def test_things_that_are_not_results_are_refused():
    with pytest.raises(TypeError, match="set"):
        encode([{1, 2}])
    with pytest.raises(ValueError, match="not a qdispatch results blob"):
        decode(b'{"json": true}')
    with pytest.raises(ValueError, match="corrupt"):
        decode(encode([1.0, 2.0])[:-8])


def test_a_65536_outcome_result_writes_and_reads_in_well_under_half_a_second(sql_repository):
    ((_, experiment, circuit),) = RepositoryContract().seed(sql_repository)
    job = make_job(experiment, circuit, status=JobStatus.RUNNING, run_type=RunType.RUN)
    with sql_repository.begin() as uow:
        uow.jobs.add(job)
        uow.commit()
    done = replace(job, status=JobStatus.DONE, results=[counts(65_536)], raw_results=None)

    with sql_repository.begin() as uow:
        uow.jobs.save(done, lease_owner=None)
        uow.commit()
    with sql_repository.begin() as uow:
        read = uow.jobs.get_for_worker(job.id)

    assert read == done  # how long that takes: benchmarks/bench_storage.py
