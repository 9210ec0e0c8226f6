"""Qiskit's Rust code can panic; a panic must become a refusal, never a dead server.

PyO3 turns a Rust panic into `pyo3_runtime.PanicException`, which derives from BaseException
so that `except Exception` does not swallow it. On the request path that let one circuit (a
register size beyond 64 bits) kill the MCP session manager's task group over HTTP and the
whole server over stdio. Every call into Qiskit's native code on the request path (parsing,
analytics, transpiling) runs inside `refusing_panics`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from qdispatch_core.errors import BadRequest

log = logging.getLogger(__name__)


def is_native_panic(exc: BaseException) -> bool:
    """True for PyO3's PanicException (it has no importable home: PyO3 creates the class at
    run time in a module named pyo3_runtime)."""
    kind = type(exc)
    return kind.__name__ == "PanicException" and kind.__module__ == "pyo3_runtime"


@contextmanager
def refusing_panics(what: str) -> Iterator[None]:
    """Run the block; a native panic becomes BadRequest("<what> failed …"). The panic's own
    text (Rust internals) goes to the log, not to the caller."""
    try:
        yield
    except Exception:
        raise
    except BaseException as exc:
        if not is_native_panic(exc):
            raise
        log.warning("Qiskit's native code panicked while %s: %s", what, exc)
        raise BadRequest(
            f"{what} failed inside Qiskit's native code (it panicked on this input); "
            "check register sizes and indices"
        ) from None
