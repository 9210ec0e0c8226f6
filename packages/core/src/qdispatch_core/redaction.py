"""Credential values kept out of every log record, whichever library writes it.

A process-wide registry holds the secret values in use right now: a job's credentials while a
worker runs it, a request's option values while a door handles it. `RedactingFilter`, installed
on the log handlers of the MCP server, the worker and the CLI, replaces each of them with `***`
in any record that reaches the handler — message, arguments, traceback and stack — so a
third-party library that logs a request's headers or a credential inside an exception's text
still writes nothing usable.

Values shorter than MIN_SECRET_LENGTH are not registered: no provider's credential is that
short, and masking a short word such as a region or an option choice everywhere would only make
logs unreadable.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

MASK = "***"
MIN_SECRET_LENGTH = 8


class SecretRegistry:
    """Secret values live in this process, counted, so that two jobs with the same key can end
    in any order without unregistering it for the other."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        # Longest first: a secret containing another is replaced whole.
        self._ordered: tuple[str, ...] = ()

    def add(self, values: Iterable[object]) -> list[str]:
        added = [v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_LENGTH]
        if added:
            with self._lock:
                self._counts.update(added)
                self._reorder()
        return added

    def remove(self, values: Iterable[str]) -> None:
        with self._lock:
            for value in values:
                self._counts[value] -= 1
                if self._counts[value] <= 0:
                    del self._counts[value]
            self._reorder()

    def _reorder(self) -> None:
        self._ordered = tuple(sorted(self._counts, key=len, reverse=True))

    @property
    def values(self) -> tuple[str, ...]:
        return self._ordered

    def scrub(self, text: str) -> str:
        for value in self._ordered:
            if value in text:
                text = text.replace(value, MASK)
        return text


LIVE = SecretRegistry()


@contextmanager
def live_secrets(values: Iterable[object], registry: SecretRegistry = LIVE) -> Iterator[None]:
    """Mask `values` (the strings among them) in every log record while the block runs."""
    added = registry.add(values)
    try:
        yield
    finally:
        if added:
            registry.remove(added)


class RedactingFilter(logging.Filter):
    """A handler filter that rewrites records carrying a live secret; it never drops one."""

    def __init__(self, registry: SecretRegistry = LIVE) -> None:
        super().__init__()
        self.registry = registry

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.registry.values:  # the usual case: nothing to hide, nothing to format
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the formatter's own error path
            return True
        scrubbed = self.registry.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and not record.exc_text:
            # Formatted here, once: the formatter then uses this text instead of the exception.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.registry.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.registry.scrub(record.stack_info)
        return True
