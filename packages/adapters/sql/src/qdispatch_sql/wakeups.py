"""Wake-ups without polling on PostgreSQL: LISTEN/NOTIFY (issue 15).

A write that makes work for idle workers (a submitted job, a sweep's shards laid out, shards or
a job handed back) sends `NOTIFY qdispatch_work` in its own transaction: PostgreSQL delivers it
at commit, never for a rolled-back write. Each worker process listens on one connection of its
own and wakes its idle threads. Polling stays the fallback (a lost connection, SQLite).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import URL, Connection, text

log = logging.getLogger(__name__)

CHANNEL = "qdispatch_work"
RECONNECT_SECONDS = 2.0


def notify_work(conn: Connection) -> None:
    """Tell listening workers there is work, when this transaction commits (PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


class Listener:
    """A thread that calls `wake` on each notification, reconnecting after a lost connection."""

    def __init__(self, url: URL, wake: Callable[[], None]) -> None:
        # psycopg's own connection string: SQLAlchemy's driver name means nothing to it.
        self.conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.wake = wake
        self.listening = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="qdispatch-listen")

    def start(self) -> Listener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as exc:  # the server restarted, the network dropped: poll, retry
                self.listening.clear()
                log.warning("wake-ups: %s; polling until reconnected", type(exc).__name__)
                self.wake()  # whatever was notified meanwhile is found by the next look
                self._stop.wait(RECONNECT_SECONDS)

    def _listen(self) -> None:
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            if not self.listening.is_set():
                log.info("listening for wake-ups on PostgreSQL (LISTEN %s)", CHANNEL)
            self.listening.set()
            self.wake()  # what was submitted while this connection was being made
            while not self._stop.is_set():
                for _ in conn.notifies(timeout=1.0, stop_after=1):
                    self.wake()
