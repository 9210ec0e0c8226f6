"""Ports: the abstract classes adapters and providers implement."""

from qdispatch_core.ports.backend import Backend, DevicePlan, Execution, JobSpec, RemoteState
from qdispatch_core.ports.billing import Billing, LedgerEntry
from qdispatch_core.ports.circuits import CircuitToolkit
from qdispatch_core.ports.executor import LocalExecutor, LocalRun, LocalWork
from qdispatch_core.ports.reports import (
    ExperimentSummary,
    JobListing,
    JobQuery,
    JobSort,
    ReportStore,
    Reservation,
    SpendRow,
)
from qdispatch_core.ports.repository import (
    CircuitStore,
    ExperimentStore,
    JobFilter,
    JobStore,
    Repository,
    SecretStore,
    ShardStore,
    UnitOfWork,
    UserStore,
)
from qdispatch_core.ports.secrets import Cipher

__all__ = [
    "Backend",
    "Billing",
    "Cipher",
    "CircuitStore",
    "CircuitToolkit",
    "DevicePlan",
    "Execution",
    "ExperimentStore",
    "ExperimentSummary",
    "JobFilter",
    "JobListing",
    "JobQuery",
    "JobSort",
    "JobSpec",
    "JobStore",
    "LedgerEntry",
    "LocalExecutor",
    "LocalRun",
    "LocalWork",
    "RemoteState",
    "ReportStore",
    "Repository",
    "Reservation",
    "SecretStore",
    "ShardStore",
    "SpendRow",
    "UnitOfWork",
    "UserStore",
]
