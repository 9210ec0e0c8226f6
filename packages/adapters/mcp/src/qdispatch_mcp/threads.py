"""Threads for the tools' blocking calls that live as long as the process.

A thread that had read OpenQASM 3 with Qiskit and then exited made later Qiskit work in other
threads of the process die of SIGSEGV: transpiling in 5 runs of 8, importing Qiskit Aer in 4 of
8 (reproducer in tests/adapters/mcp/test_threads.py; kept alive, 0 of 12). AnyIO's worker
threads, which the tools used, exit after 10 idle seconds, so a server that read a circuit,
idled, then planned a job could go down. These threads never exit. They are daemons: a stopping
server does not wait for a call still running (it is abandoned, as before).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
# As many as AnyIO's default limiter allowed: the per-user call slots bound each user's share.
SIZE = 40


class LastingThreads:
    def __init__(self, size: int = SIZE, name: str = "qdispatch-call") -> None:
        self.size = size
        self.name = name
        self._calls: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        # One token per idle thread; each call queued takes one, as concurrent.futures does:
        # a call that finds none starts a thread (up to `size`), else waits its turn.
        self._idle = threading.Semaphore(0)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` on one of the threads; cancelling the caller abandons the call."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._calls.put((loop, future, fn, args))
        self._grow()
        return await future

    def start(self, fn: Callable[..., Any], *args: Any) -> None:
        """`fn(*args)` on one of the threads, nobody waiting for it."""
        self._calls.put((None, None, fn, args))
        self._grow()

    @property
    def threads(self) -> int:
        return self._threads

    def _grow(self) -> None:
        if self._idle.acquire(timeout=0):
            return
        with self._lock:
            if self._threads >= self.size:
                return
            self._threads += 1
            number = self._threads
        thread = threading.Thread(target=self._serve, name=f"{self.name}-{number}", daemon=True)
        thread.start()

    def _serve(self) -> None:
        while True:
            loop, future, fn, args = self._calls.get()
            try:
                outcome: tuple[str, Any] = ("set_result", fn(*args))
            except BaseException as exc:  # delivered to the caller, as a thread pool does
                outcome = ("set_exception", exc)
            self._idle.release()  # idle again before the caller hears back
            if loop is None:
                continue
            with contextlib.suppress(RuntimeError):  # the caller's loop closed: nobody waits
                loop.call_soon_threadsafe(_settle, future, *outcome)


def _settle(future: asyncio.Future[Any], how: str, value: Any) -> None:
    if not future.done():  # a cancelled caller abandoned it
        getattr(future, how)(value)


CALLS = LastingThreads()
