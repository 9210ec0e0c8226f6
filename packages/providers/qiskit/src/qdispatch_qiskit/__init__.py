"""qdispatch's shared circuit toolkit on Qiskit: every provider parses, inspects and reshapes
circuits through these functions, so QASM handling and bit order are the same everywhere.

Importing this package is cheap: Qiskit is imported by the submodules that need it, when a name
from them is first used (the CLI lists devices without paying for a Qiskit import).

It also holds what every provider would otherwise write again, none of it importing Qiskit:
`sdk` (lazy vendor-SDK imports with install hints), `failures` (a simulator's own exceptions
as a job's message), `memory` (dense-state sizes, the simulation memory budget and its
refusal), `committed` (device facts kept in a committed JSON file) and `readout` (tensored
readout-error mitigation: calibration circuits, assignment matrices, correction).
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> submodule that defines it
_EXPORTS = {
    "QiskitToolkit": "toolkit",
    "LruCache": "cache",
    "parse_qasm": "parsing",
    "circuit_analytics": "analytics",
    "drop_final_measurements": "circuits",
    "measure_in_basis": "circuits",
    "non_unitary_operations": "circuits",
    "check_final_measurements": "circuits",
    "for_circuit": "circuits",
    "final_positions": "circuits",
    "parameter_binds": "binding",
    "parameter_matrix": "binding",
    "bind_parameter_sets": "binding",
    "sparse_pauli_op": "observables",
    "transpile_for": "transpiling",
    "translate_for": "transpiling",
    "to_qasm2": "export",
    "to_qasm3": "export",
    "reverse_bits": "bitstrings",
    "to_big_endian": "bitstrings",
    "to_little_endian": "bitstrings",
    "counts_to_big_endian": "bitstrings",
    "counts_to_little_endian": "bitstrings",
    "join_registers": "bitstrings",
    "select_bits": "bitstrings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qdispatch_qiskit' has no attribute {name!r}")
    return getattr(importlib.import_module(f"qdispatch_qiskit.{module}"), name)


def __dir__() -> list[str]:
    return __all__
