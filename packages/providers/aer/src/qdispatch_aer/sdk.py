"""Lazy imports of the vendor SDKs, with the install command in the error."""

from __future__ import annotations

from types import ModuleType

from qdispatch_qiskit import sdk

PACKAGE = "qdispatch-aer"


def require(module: str) -> ModuleType:
    """Import `module` (qiskit_aer, or a qdispatch_qiskit module that imports Qiskit)."""
    return sdk.require(module, PACKAGE, "the Aer provider")
