"""The worker: threads that claim jobs and drive each to a final status.

One `Worker` runs inside the MCP server, `qdispatch run --wait` and the library client; the
standalone `qdispatch worker` (or `python -m qdispatch.worker_main`) runs one per process, and any
number of them may share one PostgreSQL database across hosts: claims are compare-and-set
leases, so no job ever runs twice at once, and a job whose worker died is taken over when its
lease expires. A lease keeper thread renews every lease the worker holds; local simulations run
in child processes (qdispatch.simulations), so nothing in this interpreter can starve it. A
worker that stops cleanly hands its jobs back at once (leases cleared) instead of finishing
them: another worker takes them over without waiting for the leases to expire.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace

from qdispatch_core.usecases import Services
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_core.usecases.leases import LeaseKeeper

log = logging.getLogger("qdispatch.worker")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Doorbell:
    """Wakes idle worker threads one at a time. A submission rings once; a thread that claims
    a job while others wait to be claimed rings again, so a burst fans out over the idle
    threads while one job wakes one thread. (Waking every thread for each job cost every small
    job several empty reads of the queue, issue 15.) Rings beyond one per thread are dropped:
    a thread that finds nothing goes back to sleep."""

    def __init__(self, threads: int) -> None:
        self._ready = threading.Condition()
        self._rings = 0
        self._most = threads
        self._everyone = False
        # Threads woken by a ring that have not claimed yet: they will see the jobs submitted
        # meanwhile, so those submissions wake nobody else (small jobs gather into batches).
        self._gathering = 0
        # Slots for claiming threads (0 bound: no slots). A thread takes one before it claims
        # and keeps it while it runs quick local work (WorkerConfig.quick_threads); at the
        # bound, rings wake nobody: the holders claim what landed meanwhile when they are done,
        # and a slot given back rings once for a ring it dropped.
        self._slots_taken = 0
        self._slots = 0
        self._dropped = False

    def ring(self) -> None:
        with self._ready:
            if self._gathering:
                return
            if 0 < self._slots <= self._slots_taken:
                self._dropped = True
                return
            self._ring()

    def _ring(self) -> None:
        self._rings = min(self._most, self._rings + 1)
        self._ready.notify()

    def gathering(self, change: int) -> None:
        with self._ready:
            self._gathering += change

    def bound_quick(self, slots: int) -> None:
        with self._ready:
            self._slots = max(0, slots)

    def take_slot(self) -> bool:
        """A slot to claim (and run quick work) with; False at the bound."""
        with self._ready:
            if 0 < self._slots <= self._slots_taken:
                return False
            self._slots_taken += 1
            return True

    def give_slot(self) -> None:
        with self._ready:
            self._slots_taken -= 1
            if self._dropped and not self._everyone:
                self._dropped = False
                self._ring()

    def ring_all(self) -> None:
        """Stopping: every thread wakes, now and at every later wait, until `reset`."""
        with self._ready:
            self._everyone = True
            self._ready.notify_all()

    def reset(self) -> None:
        with self._ready:
            self._everyone = False
            self._rings = 0
            self._dropped = False

    def wait(self, timeout: float) -> bool:
        """Sleep until rung or `timeout`; True when rung."""
        with self._ready:
            rung = self._ready.wait_for(lambda: self._rings > 0 or self._everyone, timeout)
            if self._rings > 0:
                self._rings -= 1
            return rung


class _Slot:
    """A thread's claiming slot (Doorbell.take_slot), given back once."""

    def __init__(self, bell: Doorbell) -> None:
        self._bell: Doorbell | None = bell

    def give(self) -> None:
        bell, self._bell = self._bell, None
        if bell is not None:
            bell.give_slot()


class Worker:
    def __init__(
        self,
        services: Services,
        *,
        threads: int = 4,
        lease_seconds: float = 30.0,
        name: str | None = None,
        idle_sleep: tuple[float, float] = (0.02, 1.0),
        config: WorkerConfig | None = None,
        crash_retries: int | None = None,
    ) -> None:
        self.services = services
        self.name = name or worker_name()
        self.lease_seconds = lease_seconds
        self.idle_sleep = idle_sleep
        # Every thread's settings but its id (shards, budgets, the give-up rule); the lease
        # (and the crash retries, when given) as given here.
        template = replace(
            config or WorkerConfig(self.name), worker_id=self.name, lease_seconds=lease_seconds
        )
        if crash_retries is not None:
            template = replace(template, crash_retries=crash_retries)
        self.template = template
        self.crash_retries = template.crash_retries
        self.keeper = LeaseKeeper(services, lease_seconds)
        self._size = max(1, threads)
        self._threads: list[threading.Thread] = []
        self._runners: list[JobRunner] = []
        self._stop = threading.Event()
        self._bell = Doorbell(self._size)
        self._bell.bound_quick(template.quick_threads)
        self._busy = 0
        self._busy_lock = threading.Lock()
        # Counts finished jobs; waiters in this process wake on a change instead of polling.
        self._finished = threading.Condition()
        self._stop_listening: Callable[[], None] | None = None
        self._idle = idle_sleep
        self.jobs_finished = 0

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        if self._threads and not self._stop.is_set():
            return
        self._stop.clear()
        self._bell.reset()
        # PostgreSQL wakes idle threads when work appears (LISTEN/NOTIFY): they need not look
        # often, so they wait the longest poll interval at once. Elsewhere they back off.
        self._stop_listening = self.services.repository.listen(self.notify)
        self._idle = self.idle_sleep
        if self._stop_listening is not None:
            self._idle = (self.idle_sleep[1], self.idle_sleep[1])
        for i in range(self._size):
            config = replace(self.template, worker_id=f"{self.name}/{i}")
            runner = JobRunner(self.services, config, keeper=self.keeper)
            self._runners.append(runner)
            thread = threading.Thread(
                target=self._loop, args=(runner,), daemon=True, name=f"qdispatch-worker-{i}"
            )
            thread.start()
            self._threads.append(thread)
        warm = getattr(self.services.executor, "warm", None)
        if warm is not None:  # the simulation pool starts while the first job is prepared
            warm()
        log.info("worker %s started with %d thread(s)", self.name, self._size)

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop claiming and hand the jobs in hand back (their simulations are stopped, their
        leases cleared, their stored shards kept), waiting up to `timeout` for the threads."""
        self._stop.set()
        self._bell.ring_all()
        for runner in self._runners:
            runner.stopping.set()
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        # Threads still handing their jobs back are joined by the next stop (App.close).
        self._threads = [t for t in self._threads if t.is_alive()]
        if not self._threads:
            self._runners = []
            self.keeper.stop()
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None

    def notify(self) -> None:
        """A job was submitted: wake an idle thread now instead of at its next poll."""
        self._bell.ring()

    def wait_for_a_finish(self, seen: int, timeout: float) -> int:
        """Block until a job finishes after `seen` (a value of `jobs_finished`) or `timeout`
        passes; returns the current count."""
        with self._finished:
            self._finished.wait_for(lambda: self.jobs_finished != seen, timeout)
            return self.jobs_finished

    @property
    def busy(self) -> int:
        return self._busy

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    # -- the loop ---------------------------------------------------------------------------

    def _loop(self, runner: JobRunner) -> None:
        idle = self._idle[0]
        gathering = 0
        while not self._stop.is_set():
            if not self._bell.take_slot():
                # As many threads as may run quick jobs are claiming or running them: they
                # claim what lands meanwhile (a slot given back wakes a thread for it).
                self._bell.gathering(-gathering)
                gathering = 0
                self._bell.wait(idle)
                idle = min(self._idle[1], idle * 2)
                continue
            slot = _Slot(self._bell)
            runner.not_quick = slot.give
            # Busy from before the claim: a claim can take seconds (planning, imports), and a
            # worker told to exit when idle must not see a claimed job as no work at all.
            with self._busy_lock:
                self._busy += 1
            helped = False
            try:
                try:
                    job = runner.claim_next()
                finally:
                    self._bell.gathering(-gathering)
                    gathering = 0
                if job is None:
                    slot.give()
                # No job to claim: run free shards of a sweep another worker coordinates.
                helped = job is None and runner.help_next()
            except Exception:  # the database may be briefly unavailable: keep the worker alive
                log.exception("claiming a job failed")
                job = None
                slot.give()
            if job is None:
                with self._busy_lock:
                    self._busy -= 1
                if helped:
                    idle = self._idle[0]
                    continue
                if self._bell.wait(idle):
                    idle = self._idle[0]
                    gathering = self._gather()
                else:
                    idle = min(self._idle[1], idle * 2)
                continue
            idle = self._idle[0]
            if runner.more_claimable:
                self._bell.ring()  # a burst of jobs fans out over the idle threads
            ended = 1
            try:
                finished = runner.run(job)
                log.info("job %s ended %s", finished.id, finished.status.value)
                for other in runner.ended_alongside:  # a batch of small jobs ended with it
                    log.info("job %s ended %s", other.id, other.status.value)
                ended += len(runner.ended_alongside)
            except Exception:
                log.exception("job %s: the worker failed", job.id)
            finally:
                slot.give()
                with self._busy_lock:
                    self._busy -= 1
                with self._finished:
                    self.jobs_finished += ended
                    self._finished.notify_all()

    def _gather(self) -> int:
        """Woken by a submission: let the jobs submitted right behind it land first (they
        ring nobody else meanwhile), so that small ones are claimed and run as a batch
        (WorkerConfig.gather_seconds). 1 while this thread gathers, until its claim."""
        if self.template.batch_jobs <= 1 or self.template.gather_seconds <= 0:
            return 0
        self._bell.gathering(+1)
        self._stop.wait(self.template.gather_seconds)
        return 1

    def serve_forever(self, *, idle_exit: float | None = None) -> None:
        """Run until SIGINT/SIGTERM, or until idle for `idle_exit` seconds."""
        import signal

        def on_signal(signum: int, frame: object) -> None:
            log.info("signal %d: handing the jobs in hand back and stopping", signum)
            self._stop.set()
            self._bell.ring_all()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.start()
        idle_since = time.monotonic()
        while not self._stop.wait(0.5):
            if self._busy or self._has_work():
                idle_since = time.monotonic()
            elif idle_exit is not None and time.monotonic() - idle_since > idle_exit:
                log.info("idle for %.0f s: exiting", idle_exit)
                break
        self.stop(timeout=30)

    def _has_work(self) -> bool:
        try:
            with self.services.repository.read() as uow:
                now = self.services.clock()
                return bool(uow.jobs.claimable(now, 1) or uow.shards.open_jobs(now, 1))
        except Exception:
            return True


def configure_logging(level: int = logging.INFO) -> None:
    """Our loggers at `level`, everything else at WARNING (Qiskit logs every transpiler pass at
    INFO), live credentials masked: the set-up every qdispatch process shares."""
    from qdispatch.logs import configure_logging as configure

    configure(level)
