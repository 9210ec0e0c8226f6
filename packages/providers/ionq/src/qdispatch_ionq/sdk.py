"""Lazy imports of the vendor SDK (cirq, cirq-ionq), with the install command in the error.

cirq takes seconds to import, so nothing at module level in this package imports it: listing
devices, validating a request and pricing a simulator job never pay for it.
"""

from __future__ import annotations

from types import ModuleType

from qdispatch_qiskit import sdk

PACKAGE = "qdispatch-ionq"


def require(module: str) -> ModuleType:
    """Import `module` (cirq, cirq_ionq, cirq.contrib.qasm_import, or a qdispatch_qiskit module
    that imports Qiskit)."""
    return sdk.require(module, PACKAGE, "the IonQ provider")
