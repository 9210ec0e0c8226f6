"""Domain models: plain frozen dataclasses, no I/O, no framework types.

Each name loads its module on first use, as in `qdispatch_core.ports`: creating a dataclass
costs about as much as executing a small module, and `qdispatch devices` needs only `Device`
(its start-up, issue 17).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qdispatch_core.lazy import exports

if TYPE_CHECKING:
    from qdispatch_core.domain.circuits import Circuit, CircuitAnalytics, ParsedCircuit
    from qdispatch_core.domain.costs import Cost
    from qdispatch_core.domain.devices import Device, OptionSpec, Pricing
    from qdispatch_core.domain.enums import DeviceStatus, JobStatus, RunType
    from qdispatch_core.domain.experiments import Experiment
    from qdispatch_core.domain.jobs import Job, Progress
    from qdispatch_core.domain.shards import Shard, ShardRecord, ShardStatus
    from qdispatch_core.domain.users import User

# public name -> the module (in this package) that defines it
_EXPORTS = {
    "Circuit": "circuits",
    "CircuitAnalytics": "circuits",
    "Cost": "costs",
    "Device": "devices",
    "DeviceStatus": "enums",
    "Experiment": "experiments",
    "Job": "jobs",
    "JobStatus": "enums",
    "OptionSpec": "devices",
    "ParsedCircuit": "circuits",
    "Pricing": "devices",
    "Progress": "jobs",
    "RunType": "enums",
    "Shard": "shards",
    "ShardRecord": "shards",
    "ShardStatus": "shards",
    "User": "users",
}

__all__ = [
    "Circuit",
    "CircuitAnalytics",
    "Cost",
    "Device",
    "DeviceStatus",
    "Experiment",
    "Job",
    "JobStatus",
    "OptionSpec",
    "ParsedCircuit",
    "Pricing",
    "Progress",
    "RunType",
    "Shard",
    "ShardRecord",
    "ShardStatus",
    "User",
]

__getattr__, __dir__ = exports(__name__, _EXPORTS)
