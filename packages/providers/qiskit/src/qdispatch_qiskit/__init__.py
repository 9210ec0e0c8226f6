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
from typing import TYPE_CHECKING, Any

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


if TYPE_CHECKING:  # the same names, for type checkers: at run time __getattr__ imports them
    from qdispatch_qiskit.analytics import circuit_analytics
    from qdispatch_qiskit.binding import bind_parameter_sets, parameter_binds, parameter_matrix
    from qdispatch_qiskit.bitstrings import (
        counts_to_big_endian,
        counts_to_little_endian,
        join_registers,
        reverse_bits,
        select_bits,
        to_big_endian,
        to_little_endian,
    )
    from qdispatch_qiskit.cache import LruCache
    from qdispatch_qiskit.circuits import (
        check_final_measurements,
        drop_final_measurements,
        final_positions,
        for_circuit,
        measure_in_basis,
        non_unitary_operations,
    )
    from qdispatch_qiskit.export import to_qasm2, to_qasm3
    from qdispatch_qiskit.observables import sparse_pauli_op
    from qdispatch_qiskit.parsing import parse_qasm
    from qdispatch_qiskit.toolkit import QiskitToolkit
    from qdispatch_qiskit.transpiling import translate_for, transpile_for

__all__ = [  # == sorted(_EXPORTS), written out so the checkers see the TYPE_CHECKING names used
    "LruCache",
    "QiskitToolkit",
    "bind_parameter_sets",
    "check_final_measurements",
    "circuit_analytics",
    "counts_to_big_endian",
    "counts_to_little_endian",
    "drop_final_measurements",
    "final_positions",
    "for_circuit",
    "join_registers",
    "measure_in_basis",
    "non_unitary_operations",
    "parameter_binds",
    "parameter_matrix",
    "parse_qasm",
    "reverse_bits",
    "select_bits",
    "sparse_pauli_op",
    "to_big_endian",
    "to_little_endian",
    "to_qasm2",
    "to_qasm3",
    "translate_for",
    "transpile_for",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qdispatch_qiskit' has no attribute {name!r}")
    return getattr(importlib.import_module(f"qdispatch_qiskit.{module}"), name)


def __dir__() -> list[str]:
    return __all__
