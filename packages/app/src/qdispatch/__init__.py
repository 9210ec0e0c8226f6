"""qdispatch: run quantum circuits on QPUs and simulators as asynchronous, persisted jobs.

The library door is `qdispatch.Client`; `qdispatch.App` is the composition root the CLI and the
MCP server share.
"""

from qdispatch.bootstrap import App
from qdispatch.client import Client, JobFailed, JobHandle
from qdispatch.settings import Settings

__version__ = "0.1.0"

__all__ = ["App", "Client", "JobFailed", "JobHandle", "Settings"]
