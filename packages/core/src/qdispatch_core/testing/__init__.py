"""Fakes of every port, for tests of the core and of the doors: tiny, and recording what happened.

No `unittest.mock` for ports: these behave like the real thing, in memory.
`InMemoryBilling` is the billing port's fake: `InMemoryBilling()` is a ledger of its own, and
every `InMemoryRepository` unit of work holds one on the repository's state as `uow.billing`.
"""

from qdispatch_core.testing.backend import FakeBackend
from qdispatch_core.testing.cipher import FakeCipher
from qdispatch_core.testing.memory import InMemoryBilling, InMemoryRepository
from qdispatch_core.testing.toolkit import FakeCircuitToolkit

__all__ = [
    "FakeBackend",
    "FakeCipher",
    "FakeCircuitToolkit",
    "InMemoryBilling",
    "InMemoryRepository",
]
