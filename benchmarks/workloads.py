"""The circuits and observables the benchmarks run, built with Qiskit and handed to qdispatch as
OpenQASM 3 (what a user would send)."""

from __future__ import annotations

import numpy as np


def ansatz(qubits: int = 12, reps: int = 3):
    """Hardware-efficient ansatz: RY on every qubit, then a CX ladder, `reps` times, then a
    last RY layer. Parameters t000, t001, … sort by name in creation order."""
    from qiskit.circuit import Parameter, QuantumCircuit

    circuit = QuantumCircuit(qubits)
    count = 0
    for layer in range(reps + 1):
        for q in range(qubits):
            circuit.ry(Parameter(f"t{count:03d}"), q)
            count += 1
        if layer < reps:
            for q in range(qubits - 1):
                circuit.cx(q, q + 1)
    return circuit


def to_qasm3(circuit) -> str:
    from qiskit import qasm3

    return qasm3.dumps(circuit)


def random_paulis(qubits: int, terms: int, rng: np.random.Generator, weight: int = 3) -> list[str]:
    """Distinct Pauli strings with at most `weight` non-identity letters (local Hamiltonians)."""
    found: dict[str, None] = {}
    while len(found) < terms:
        chars = ["I"] * qubits
        for q in rng.choice(qubits, size=rng.integers(1, weight + 1), replace=False):
            chars[q] = "XYZ"[rng.integers(3)]
        found["".join(chars)] = None
    return list(found)


def observables(qubits: int, count: int, terms: int, seed: int = 7) -> list[list]:
    rng = np.random.default_rng(seed)
    return [
        [random_paulis(qubits, terms, rng), list(rng.uniform(-1, 1, terms).round(6))]
        for _ in range(count)
    ]


def parameter_sets(count: int, size: int, seed: int = 11) -> list[list[float]]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 2 * np.pi, (count, size)).round(9).tolist()


BELL = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
creg c[2];
h q[0];
cx q[0], q[1];
measure q -> c;
"""


def ising_ansatz(qubits: int = 4, layers: int = 2):
    """The Ising ansatz of issue 14's sweep: H on every qubit, then `layers` of ZZ couplings
    (RZZ(gamma) on neighbours) and X mixers (RX(beta)). Parameters bind by name: beta, gamma."""
    from qiskit.circuit import Parameter, QuantumCircuit

    gamma, beta = Parameter("gamma"), Parameter("beta")
    circuit = QuantumCircuit(qubits)
    circuit.h(range(qubits))
    for _ in range(layers):
        for q in range(qubits - 1):
            circuit.rzz(gamma, q, q + 1)
        circuit.rx(beta, range(qubits))
    return circuit


def ising_grid(count: int) -> list[list[float]]:
    """`count` (beta, gamma) pairs on a square grid over [0, π)²."""
    side = max(1, round(count**0.5))
    return [[np.pi * (i % side) / side, np.pi * (i // side) / side] for i in range(count)]


# The observables: 'ZZII:1,XIII:0.5' (two measurement groups).
ISING_OBSERVABLES = [["ZZII", "XIII"], [1.0, 0.5]]
