"""Importing Qiskit with an install hint instead of a bare ModuleNotFoundError."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, package: str = "qdispatch-qiskit") -> ModuleType:
    """Import `module`, or fail with the pip command that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{module} is not available ({exc}); install it with: pip install {package}"
        ) from exc
