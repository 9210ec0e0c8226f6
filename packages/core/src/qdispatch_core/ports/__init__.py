"""Ports: the abstract classes adapters and providers implement.

Each name loads its module on first use, as in `qdispatch_core.usecases`: a door that needs one
port (the settings' `backend_settings`, the registry's `backend`) does not import them all
(`qdispatch devices` start-up, issue 17).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qdispatch_core.lazy import exports

if TYPE_CHECKING:
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

# public name -> the module (in this package) that defines it
_EXPORTS = {
    "Backend": "backend",
    "Billing": "billing",
    "Cipher": "secrets",
    "CircuitStore": "repository",
    "CircuitToolkit": "circuits",
    "DevicePlan": "backend",
    "Execution": "backend",
    "ExperimentStore": "repository",
    "ExperimentSummary": "reports",
    "JobFilter": "repository",
    "JobListing": "reports",
    "JobQuery": "reports",
    "JobSort": "reports",
    "JobSpec": "backend",
    "JobStore": "repository",
    "LedgerEntry": "billing",
    "LocalExecutor": "executor",
    "LocalRun": "executor",
    "LocalWork": "executor",
    "RemoteState": "backend",
    "ReportStore": "reports",
    "Repository": "repository",
    "Reservation": "reports",
    "SecretStore": "repository",
    "ShardStore": "repository",
    "SpendRow": "reports",
    "UnitOfWork": "repository",
    "UserStore": "repository",
}

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

__getattr__, __dir__ = exports(__name__, _EXPORTS)
