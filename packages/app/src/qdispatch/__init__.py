"""qdispatch: run quantum circuits on QPUs and simulators as asynchronous, persisted jobs.

The library door is `qdispatch.Client` (results come back as `qdispatch.RunResult`; Qiskit
primitives backed by qdispatch are in `qdispatch.primitives`); `qdispatch.App` is the
composition root the CLI and the MCP server share.

The library's names are loaded on first use (PEP 562), so the CLI and the MCP server, which
import `App` from here, do not pay for the library's modules at start-up; and nothing here
imports Qiskit, numpy, pandas or matplotlib until such objects are passed or asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from qdispatch.bootstrap import App
from qdispatch.settings import Settings

if TYPE_CHECKING:
    from qdispatch._lazy import MissingExtra
    from qdispatch.client import Client, JobFailed, JobHandle
    from qdispatch.results import ResultKindError, RunResult
    from qdispatch.views import JobSummary, JobView

__version__ = "0.1.0"

_LIBRARY = {
    "Client": "qdispatch.client",
    "JobFailed": "qdispatch.client",
    "JobHandle": "qdispatch.client",
    "RunResult": "qdispatch.results",
    "ResultKindError": "qdispatch.results",
    "JobView": "qdispatch.views",
    "JobSummary": "qdispatch.views",
    "MissingExtra": "qdispatch._lazy",
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
    module = _LIBRARY.get(name)
    if module is None:
        raise AttributeError(f"module 'qdispatch' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LIBRARY})
