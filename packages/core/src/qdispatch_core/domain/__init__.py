"""Domain models: plain frozen dataclasses, no I/O, no framework types."""

from qdispatch_core.domain.circuits import Circuit, CircuitAnalytics, ParsedCircuit
from qdispatch_core.domain.costs import Cost
from qdispatch_core.domain.devices import Device, OptionSpec, Pricing
from qdispatch_core.domain.enums import DeviceStatus, JobStatus, RunType
from qdispatch_core.domain.experiments import Experiment
from qdispatch_core.domain.jobs import Job, Progress
from qdispatch_core.domain.shards import Shard, ShardRecord, ShardStatus
from qdispatch_core.domain.users import User

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
