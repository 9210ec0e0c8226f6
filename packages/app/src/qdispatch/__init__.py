"""qdispatch: run quantum circuits on QPUs and simulators as asynchronous, persisted jobs.

The library door is `qdispatch.Client` (results come back as `qdispatch.RunResult`; Qiskit
primitives backed by qdispatch are in `qdispatch.primitives`); `qdispatch.App` is the
composition root the CLI and the MCP server share.

Names load on first use (PEP 562): importing a light submodule (`qdispatch.settings`) does not
import the client and its schemas, so `qdispatch devices` stays fast; and nothing here imports
Qiskit, numpy, pandas or matplotlib until such objects are passed or asked for.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qdispatch._lazy import MissingExtra
    from qdispatch.bootstrap import App
    from qdispatch.client import Client, JobFailed, JobHandle
    from qdispatch.results import ResultKindError, RunResult
    from qdispatch.settings import Settings
    from qdispatch.views import JobSummary, JobView

__version__ = "0.1.0"

# public name -> the submodule that defines it
_EXPORTS = {
    "App": "bootstrap",
    "Settings": "settings",
    "Client": "client",
    "JobFailed": "client",
    "JobHandle": "client",
    "RunResult": "results",
    "ResultKindError": "results",
    "JobView": "views",
    "JobSummary": "views",
    "MissingExtra": "_lazy",
}

__all__ = [
    "App",
    "Client",
    "JobFailed",
    "JobHandle",
    "JobSummary",
    "JobView",
    "MissingExtra",
    "ResultKindError",
    "RunResult",
    "Settings",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
