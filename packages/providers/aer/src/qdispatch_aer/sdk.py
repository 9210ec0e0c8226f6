"""Lazy imports of the vendor SDKs, with the install command in the error."""

from __future__ import annotations

import importlib
from types import ModuleType

INSTALL_HINT = "pip install qdispatch-aer"


def require(module: str) -> ModuleType:
    """Import `module` (qiskit_aer, or a qdispatch_qiskit module that imports Qiskit)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"the Aer provider needs {module}, which cannot be imported ({exc}); "
            f"install it with: {INSTALL_HINT}"
        ) from exc
