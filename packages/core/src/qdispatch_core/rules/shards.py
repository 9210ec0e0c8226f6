"""Cutting a local job's executables into shards of a few seconds each.

The layout is a pure function of the plan's size and the backend's estimate of one
executable's time, and it is stored when the job first runs: a resumed job keeps its layout
whatever the settings say by then.
"""

from __future__ import annotations

import math

from qdispatch_core.domain import Shard

# However small the executables, a job has at most this many shards: each costs a database
# write and a round trip to a child process.
MAX_SHARDS = 2000


def shard_size(total: int, seconds_per_executable: float, target_seconds: float) -> int:
    """Executables per shard: about `target_seconds` of simulation, at least 1, and enough that
    the job has at most MAX_SHARDS shards."""
    if total <= 0:
        return 1
    per = max(seconds_per_executable, 1e-9)
    size = max(1, int(target_seconds / per))
    size = max(size, math.ceil(total / MAX_SHARDS))
    return min(size, total)


def layout(total: int, size: int) -> list[Shard]:
    """Contiguous shards of `size` executables (the last may be shorter), in plan order."""
    size = max(1, size)
    return [
        Shard(i, first, min(size, total - first)) for i, first in enumerate(range(0, total, size))
    ]
