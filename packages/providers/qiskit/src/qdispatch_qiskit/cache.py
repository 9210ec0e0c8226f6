"""The LRU cache parsed and transpiled circuits are reused from: the core's (`qdispatch_core.lru`),
named here where the providers have always imported it."""

from qdispatch_core.lru import LruCache

__all__ = ["LruCache"]
