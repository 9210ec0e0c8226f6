"""Lazy imports of the Braket SDK (and the Qiskit toolkit), with the install command in the error.

The SDK takes seconds to import (boto3, pydantic schemas, the simulators), so nothing in this
package imports it at module level: listing devices must stay fast.
"""

from __future__ import annotations

from types import ModuleType

from qdispatch_qiskit import sdk

PACKAGE = "qdispatch-braket"


def require(module: str) -> ModuleType:
    """Import `module` (braket.*, boto3, botocore, or a qdispatch_qiskit module)."""
    return sdk.require(module, PACKAGE, "the Braket provider")
