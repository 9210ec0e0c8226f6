"""AccountListings: an account's list is waited for at most `wait` seconds, asked once at a
time per account, remembered, and not asked again soon after a failure."""

from __future__ import annotations

import threading
import time

import pytest

from qdispatch_core.listing import AccountListings


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_list_is_fetched_once_and_remembered_until_it_is_stale():
    clock = Clock()
    listings = AccountListings(wait=5, ttl=300, clock=clock)
    calls = []
    fetch = lambda: calls.append(1) or ("dev",)  # noqa: E731
    assert listings.get("acct", fetch) == ("dev",)
    assert listings.get("acct", fetch) == ("dev",)
    assert len(calls) == 1
    clock.now = 301
    assert listings.get("acct", fetch) == ("dev",) and len(calls) == 2


def test_a_provider_that_never_answers_costs_the_caller_wait_seconds_once():
    release = threading.Event()
    started = []

    def hang():
        started.append(1)
        release.wait(30)
        return ("late",)

    listings = AccountListings(wait=0.3, retry_after=60)
    begin = time.monotonic()
    assert listings.get("acct", hang) is None  # the catalog answers instead
    assert time.monotonic() - begin < 5
    # A second caller while the try is in flight waits on the same try: no second thread.
    assert listings.get("acct", hang) is None and len(started) == 1
    release.set()
    deadline = time.monotonic() + 10
    while listings.get("acct", hang) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert listings.get("acct", hang) == ("late",)  # the try that went on alone is kept


def test_a_failure_is_raised_to_the_caller_then_not_retried_for_a_while():
    clock = Clock()
    listings = AccountListings(wait=5, retry_after=60, clock=clock)
    calls = []

    def fail():
        calls.append(1)
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        listings.get("acct", fail)
    assert listings.get("acct", fail) is None and len(calls) == 1
    clock.now = 61
    with pytest.raises(ValueError):
        listings.get("acct", fail)
    assert len(calls) == 2


def test_accounts_are_independent():
    listings = AccountListings(wait=5)
    assert listings.get("a", lambda: "A") == "A"
    assert listings.get("b", lambda: "B") == "B"
