"""Importing a vendor SDK (or Qiskit) lazily, with the install command in the error.

Listing devices must stay fast, so providers import their SDKs only when a job needs them,
through `require`: a missing or broken SDK then fails with the package to install instead of a
bare ModuleNotFoundError. Nothing here imports Qiskit.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def require(
    module: str, package: str = "qdispatch-qiskit", needed_by: str = "qdispatch's circuit toolkit"
) -> ModuleType:
    """Import `module`, or fail with an ImportError naming who needs it and the pip command
    that installs `package` (the qdispatch package that depends on it)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{needed_by} needs {module}, which cannot be imported ({exc}); "
            f"install it with: pip install {package}"
        ) from exc
