"""The lease heartbeat: a worker's leases renewed by a thread of their own.

A job's own thread renews its lease whenever it writes, but it may spend long stretches waiting:
on a child process's shard, on a provider, on a database lock. A `LeaseKeeper` renews every
lease its worker holds every third of the lease, whatever those threads are doing, touching
only the lease's expiry (never the job's other fields). Simulations run in child processes, so
nothing in the worker's interpreter can hold the GIL long enough to starve it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from qdispatch_core.usecases.services import Services

log = logging.getLogger(__name__)


class LeaseKeeper:
    def __init__(self, services: Services, lease_seconds: float) -> None:
        self.services = services
        self.lease_seconds = lease_seconds
        self.interval = max(0.05, lease_seconds / 3)
        # (job id, lease owner) of every job in hand. Keyed by both: when a thread of this
        # worker takes over a job another of its threads lost, the loser's exit must not drop
        # the winner's lease from the renewals.
        self._held: set[tuple[str, str]] = set()
        # Jobs a thread of this worker is claiming or has claimed and not yet finished with:
        # the other threads skip them instead of queueing for a claim that would fail.
        self._taken: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.renewals = 0  # rounds that renewed something (for tests and diagnostics)

    def take(self, job_id: str) -> bool:
        """Mark a job as being claimed by this worker; False when another of its threads has
        it already."""
        with self._lock:
            if job_id in self._taken:
                return False
            self._taken.add(job_id)
            return True

    def untake(self, job_id: str) -> None:
        with self._lock:
            self._taken.discard(job_id)

    @contextmanager
    def holding(self, job_id: str, owner: str) -> Iterator[None]:
        with self._lock:
            self._held.add((job_id, owner))
            self._start()
        try:
            yield
        finally:
            with self._lock:
                self._held.discard((job_id, owner))

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._loop, daemon=True, name="qdispatch-lease-keeper"
            )
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                held = set(self._held)
            if not held:
                continue
            try:
                self.renew(held)
            except Exception:  # the database may be briefly unavailable: try again next round
                log.exception("renewing leases failed")

    def renew(self, held: set[tuple[str, str]]) -> None:
        until = self.services.clock() + timedelta(seconds=self.lease_seconds)
        with self.services.repository.begin() as uow:
            for job_id, owner in sorted(held):
                # Shards too where the job's lease is another worker's: a helper's shards.
                uow.jobs.renew(job_id, owner, until)
                uow.shards.renew(job_id, owner, until)
            uow.commit()
        self.renewals += 1
