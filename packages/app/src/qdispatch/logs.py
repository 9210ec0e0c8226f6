"""One logging set-up for every qdispatch process: the MCP server, the worker and the CLI.

- Records go to stderr (stdout carries the MCP protocol on stdio, and results in the CLI).
- qdispatch's own loggers log at the chosen level; every other library stays at WARNING even at
  DEBUG: botocore logs credentials and signed headers at DEBUG, sse_starlette every response
  body, httpx/httpcore/urllib3 every request, and Qiskit every transpiler pass at INFO.
- uvicorn's lifecycle lines ("Started server process", "Application shutdown complete") are
  kept at INFO; its access log is replaced by qdispatch's own, which never records a query
  string (`qdispatch_mcp.access`).
- A `RedactingFilter` on the handler replaces the values of live credentials in any record.
"""

from __future__ import annotations

import logging
import sys
from typing import IO

from qdispatch_core.redaction import RedactingFilter

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# qdispatch's packages: their loggers follow the chosen level (a prefix match in the policy,
# so a package added later is not silenced by the handler).
OURS = (
    "qdispatch",
    "qdispatch_core",
    "qdispatch_qiskit",
    "qdispatch_aer",
    "qdispatch_ibm",
    "qdispatch_braket",
    "qdispatch_ionq",
    "qdispatch_sql",
    "qdispatch_cli",
    "qdispatch_mcp",
    "qdispatch_web",
)
# Other loggers allowed at INFO (never below): a server's start and stop are worth a line.
LIFECYCLE = ("uvicorn.error",)
# Libraries known to log secrets or whole bodies below WARNING, pinned at WARNING explicitly
# (a library that sets its own logger's level would otherwise bypass the root's).
NOISY = (
    "botocore",
    "boto3",
    "s3transfer",
    "urllib3",
    "requests",
    "httpx",
    "httpx2",
    "httpcore",
    "sse_starlette",
    "mcp",
    "uvicorn.access",
    "uvicorn.asgi",
    "qiskit",
    "qiskit_ibm_runtime",
    "qiskit_aer",
    "braket",
    "cirq",
    "cirq_ionq",
    "stevedore",
    "asyncio",
    "multipart",
)


class LevelPolicy(logging.Filter):
    """qdispatch's records from the chosen level, lifecycle lines from INFO, everyone else's
    from WARNING: a last guard behind the logger levels set in `configure_logging`."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        if record.name.startswith("qdispatch"):
            return record.levelno >= self.level
        if record.name in LIFECYCLE:
            return record.levelno >= max(self.level, logging.INFO)
        return False


def _level(level: str | int) -> int:
    if isinstance(level, int):
        return level
    number = logging.getLevelName(level.upper())
    if not isinstance(number, int):
        raise ValueError(f"unknown log level {level!r}")
    return number


def make_handler(level: str | int = logging.INFO, stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(LevelPolicy(_level(level)))
    handler.addFilter(RedactingFilter())
    return handler


def configure_logging(level: str | int = logging.INFO, stream: IO[str] | None = None) -> None:
    """Set up logging for a qdispatch process. A process whose logging is already set up (a
    test run, a program embedding qdispatch) keeps it untouched."""
    number = _level(level)
    root = logging.getLogger()
    if root.handlers:
        return
    root.addHandler(make_handler(number, stream))
    root.setLevel(logging.WARNING)
    for name in OURS:
        logging.getLogger(name).setLevel(number)
    for name in LIFECYCLE:
        logging.getLogger(name).setLevel(max(number, logging.INFO))
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
