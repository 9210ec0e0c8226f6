"""Lazy imports of the Braket SDK (and the Qiskit toolkit), with the install command in the error.

The SDK takes seconds to import (boto3, pydantic schemas, the simulators), so nothing in this
package imports it at module level: listing devices must stay fast.
"""

from __future__ import annotations

import importlib
from types import ModuleType

INSTALL_HINT = "pip install qdispatch-braket"


def require(module: str) -> ModuleType:
    """Import `module` (braket.*, boto3, botocore, or a qdispatch_qiskit module)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"the Braket provider needs {module}, which cannot be imported ({exc}); "
            f"install it with: {INSTALL_HINT}"
        ) from exc
