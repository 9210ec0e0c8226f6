"""qdispatch: run quantum circuits on QPUs and simulators as asynchronous, persisted jobs.

The library door is `qdispatch.Client`; `qdispatch.App` is the composition root the CLI and the
MCP server share.

Names load on first use, so importing a light submodule (`qdispatch.settings`) does not import
the client and its schemas: `qdispatch devices` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qdispatch.bootstrap import App
    from qdispatch.client import Client, JobFailed, JobHandle
    from qdispatch.settings import Settings

__version__ = "0.1.0"

# public name -> the submodule that defines it
_EXPORTS = {
    "App": "bootstrap",
    "Client": "client",
    "JobFailed": "client",
    "JobHandle": "client",
    "Settings": "settings",
}

__all__ = ["App", "Client", "JobFailed", "JobHandle", "Settings"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
