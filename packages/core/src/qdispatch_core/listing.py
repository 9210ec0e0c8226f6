"""An account's device list, asked for on the request path: one short try, never a long wait.

A run that carries credentials resolves its device against the account's own list (IBM
Quantum, IonQ). Asking the provider used to block the request for as long as the SDK retried
(~25 s against an unreachable IonQ), holding a server thread all that time; 45 such requests
starved every other user. Here:

- a list fetched in the last `ttl` seconds is answered from memory;
- otherwise one try starts in a thread of its own and the caller waits for it at most `wait`
  seconds; if it has not answered by then, the caller gets None (the provider then answers from
  its committed catalog) and the try goes on alone, filling the memory for later callers;
- while a try for an account is in flight, callers for that account wait on the same try;
- after a failed try, callers get None at once for `retry_after` seconds.

A failure that the try reports within `wait` is raised to the callers waiting on it, so the
provider can say why it fell back. Threads are per account and in flight at most one at a
time, so a provider that never answers costs one thread per account, not one per request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Generic, TypeVar

T = TypeVar("T")

# How long a request waits for an account's list before the catalog answers instead.
LISTING_WAIT_S = 10.0
# How long a fetched list is reused, and how long after a failure no new try is made.
LISTING_TTL_S = 300.0
LISTING_RETRY_AFTER_S = 60.0


class AccountListings(Generic[T]):
    def __init__(
        self,
        *,
        wait: float = LISTING_WAIT_S,
        ttl: float = LISTING_TTL_S,
        retry_after: float = LISTING_RETRY_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.wait = wait
        self.ttl = ttl
        self.retry_after = retry_after
        self.clock = clock
        self._fresh: dict[str, tuple[float, T]] = {}
        self._failed: dict[str, float] = {}
        self._in_flight: dict[str, Future[T]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, fetch: Callable[[], T]) -> T | None:
        """The list for the account `key` (a fingerprint, never a credential), or None when
        none came within `wait` seconds or a recent try failed."""
        now = self.clock()
        with self._lock:
            fresh = self._fresh.get(key)
            if fresh is not None and now - fresh[0] < self.ttl:
                return fresh[1]
            failed = self._failed.get(key)
            if failed is not None and now - failed < self.retry_after:
                return None
            future = self._in_flight.get(key)
            if future is None:
                future = self._start(key, fetch)
        try:
            return future.result(timeout=self.wait)
        except FutureTimeout:
            return None

    def _start(self, key: str, fetch: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._in_flight[key] = future
        thread = threading.Thread(
            target=self._try, args=(key, fetch, future), daemon=True, name="qdispatch-listing"
        )
        thread.start()
        return future

    def _try(self, key: str, fetch: Callable[[], T], future: Future[T]) -> None:
        try:
            value = fetch()
        except BaseException as exc:  # a native panic too: it must reach the waiting caller
            with self._lock:
                self._failed[key] = self.clock()
                self._in_flight.pop(key, None)
            future.set_exception(exc)
            return
        with self._lock:
            self._fresh[key] = (self.clock(), value)
            self._failed.pop(key, None)
            self._in_flight.pop(key, None)
        future.set_result(value)

    def forget(self) -> None:
        """Drop every remembered list and failure (tries in flight go on)."""
        with self._lock:
            self._fresh.clear()
            self._failed.clear()
