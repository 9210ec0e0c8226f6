"""Lazy imports of the vendor SDK (cirq, cirq-ionq), with the install command in the error.

cirq takes seconds to import, so nothing at module level in this package imports it: listing
devices, validating a request and pricing a simulator job never pay for it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

INSTALL_HINT = "pip install qdispatch-ionq"


def require(module: str) -> ModuleType:
    """Import `module` (cirq, cirq_ionq, cirq.contrib.qasm_import, or a qdispatch_qiskit module
    that imports Qiskit)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"the IonQ provider needs {module}, which cannot be imported ({exc}); "
            f"install it with: {INSTALL_HINT}"
        ) from exc
