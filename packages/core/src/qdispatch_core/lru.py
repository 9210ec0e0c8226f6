"""A small thread-safe LRU cache: parsed and transpiled circuits, accepted sources and stored
circuits are reused across jobs.

Qiskit objects are not thread-safe, and a cached one reached by two requests (or a request and
the worker) at once is shared mutable state. A cache of such objects passes `share`: a function
that makes each caller its own copy, called under the cache's lock, so the cached object itself
is only ever read by one thread at a time and never handed out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LruCache(Generic[V]):
    def __init__(self, maxsize: int = 256) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_create(
        self, key: Hashable, create: Callable[[], V], share: Callable[[V], V] | None = None
    ) -> V:
        """The cached value for `key`, creating it (outside the lock) when absent; with `share`,
        the caller's own copy of it (made under the lock).

        Two threads missing the same key at once both create it; the first stored wins. That is
        cheaper than holding a lock through a parse or a transpilation. Exceptions propagate and
        nothing is stored, so a failing input is tried again next time.
        """
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                value = self._items[key]
                return share(value) if share is not None else value
            self.misses += 1
        value = create()
        with self._lock:
            stored = self._items.setdefault(key, value)
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
            return share(stored) if share is not None else stored

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
