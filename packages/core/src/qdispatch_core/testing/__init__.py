"""Fakes of every port, for tests of the core and of the doors: tiny, and recording what happened.

No `unittest.mock` for ports: these behave like the real thing, in memory.
"""

from qdispatch_core.testing.backend import FakeBackend
from qdispatch_core.testing.cipher import FakeCipher
from qdispatch_core.testing.memory import InMemoryRepository
from qdispatch_core.testing.toolkit import FakeCircuitToolkit

__all__ = ["FakeBackend", "FakeCipher", "FakeCircuitToolkit", "InMemoryRepository"]
