"""qdispatch: run quantum circuits on QPUs and simulators as asynchronous, persisted jobs.

The library door is `qdispatch.Client` (results come back as `qdispatch.RunResult`; Qiskit
primitives backed by qdispatch are in `qdispatch.primitives`); `qdispatch.App` is the
composition root the CLI and the MCP server share. Importing this package loads no Qiskit,
numpy, pandas or matplotlib: they are imported when such objects are passed or asked for.
"""

from qdispatch._lazy import MissingExtra
from qdispatch.bootstrap import App
from qdispatch.client import Client, JobFailed, JobHandle
from qdispatch.results import ResultKindError, RunResult
from qdispatch.settings import Settings
from qdispatch.views import JobSummary, JobView

__version__ = "0.1.0"

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
