"""Optional libraries, imported only when a caller's objects or questions need them.

`import qdispatch` must stay light: no Qiskit, numpy, pandas or matplotlib until a
QuantumCircuit or an array is passed in, or a result is asked for in such a form. An object
can only be a `QuantumCircuit` if Qiskit is already imported, so type checks look in
`sys.modules` instead of importing.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

# what to install for each optional library, by the extra that brings it
EXTRAS = {
    "pandas": "pandas",
    "matplotlib": "plot",
    "ipywidgets": "notebook",
}


class MissingExtra(ImportError):
    """An optional library a feature needs is not installed; the message says what to install."""


def loaded_instance(obj: Any, module: str, name: str) -> bool:
    """isinstance(obj, module.name), without importing `module` (False when it isn't loaded)."""
    found = sys.modules.get(module)
    cls = getattr(found, name, None) if found is not None else None
    return cls is not None and isinstance(obj, cls)


def is_ndarray(obj: Any) -> bool:
    return loaded_instance(obj, "numpy", "ndarray")


def is_numpy_scalar(obj: Any) -> bool:
    return loaded_instance(obj, "numpy", "generic")


def require(module: str, feature: str) -> ModuleType:
    """Import an optional library, or fail saying which extra brings it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        extra = EXTRAS.get(top, top)
        raise MissingExtra(
            f"{feature} needs {top}, which is not installed: pip install 'qdispatch[{extra}]' "
            f"(or pip install {top})"
        ) from exc
