"""Parameter sets (tuples in `parameter_names` order) onto Qiskit circuits.

Values are matched by parameter *name*, not position: transpiling may reorder expressions or
drop a parameter that cancels out, and a positional match would then bind the wrong values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

ParameterSet = Sequence[float]


def _columns(names: Sequence[str], circuit: QuantumCircuit) -> list[tuple[Parameter, int]]:
    index = {name: i for i, name in enumerate(names)}
    missing = [p.name for p in circuit.parameters if p.name not in index]
    if missing:
        raise ValueError(f"no values for parameter(s) {', '.join(missing)}")
    return [(p, index[p.name]) for p in circuit.parameters]


def parameter_binds(
    circuit: QuantumCircuit, names: Sequence[str], sets: Sequence[ParameterSet]
) -> dict[Parameter, list[float]] | None:
    """Aer's `parameter_binds` entry for one circuit: {Parameter: [value per set]}, or None
    when the circuit has no parameters left."""
    columns = _columns(names, circuit)
    if not columns:
        return None
    return {p: [float(s[i]) for s in sets] for p, i in columns}


def parameter_matrix(
    circuit: QuantumCircuit, names: Sequence[str], sets: Sequence[ParameterSet]
) -> np.ndarray:
    """Parameter values shaped (sets, circuit.num_parameters), columns in the circuit's
    parameter order: the primitives' (V2) parameter-values array."""
    columns = _columns(names, circuit)
    matrix = np.empty((len(sets), len(columns)), dtype=float)
    for j, (_, i) in enumerate(columns):
        matrix[:, j] = [s[i] for s in sets]
    return matrix


def bind_parameter_sets(
    circuit: QuantumCircuit, names: Sequence[str], sets: Sequence[ParameterSet]
) -> list[QuantumCircuit]:
    """One bound copy per set, for SDKs without native parameter sweeps."""
    columns = _columns(names, circuit)
    return [circuit.assign_parameters({p: float(s[i]) for p, i in columns}) for s in sets]
