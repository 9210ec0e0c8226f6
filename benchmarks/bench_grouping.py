"""8. Qubit-wise-commuting grouping: qdispatch's near-linear greedy against Qiskit's
`SparsePauliOp.group_commuting(qubit_wise=True)` (a conflict graph, coloured largest-first), on
molecular-like Hamiltonians (Jordan–Wigner shapes, tests/security/hamiltonians.py).

Qiskit's grouping builds the O(n²) conflict graph; it is timed where it finishes in reasonable
time (5,000 terms) and not at 20,000 or 100,000 terms, where only qdispatch is timed against
its target. Groups are measured circuits, so fewer is better: the group counts are compared too.
"""

from __future__ import annotations

import random

from common import Row, at_most, ratio_at_most, repeat

from tests.security.hamiltonians import molecular


def run(client, quick: bool) -> list[Row]:
    from qiskit.quantum_info import SparsePauliOp

    from qdispatch_core.rules.paulis import group_qubit_wise

    compared, large, largest = (1000, 5000, 20_000) if quick else (5000, 20_000, 100_000)
    repetitions = 1 if quick else 3
    small_terms = molecular(20, compared, random.Random(1))
    ours = len(group_qubit_wise(small_terms))
    theirs = len(SparsePauliOp(small_terms).group_commuting(qubit_wise=True))
    rows = [
        Row(
            f"grouping: {compared:,} molecular-like terms, 20 qubits: groups",
            "groups",
            [ours],
            [theirs],
            "Qiskit group_commuting(qubit_wise=True)",
            "≤ 1.0× reference",
            ratio_at_most(1.0),
        ),
        Row(
            f"grouping: {compared:,} molecular-like terms, 20 qubits: time",
            "s",
            repeat(lambda: group_qubit_wise(small_terms), repetitions),
            repeat(
                lambda: SparsePauliOp(small_terms).group_commuting(qubit_wise=True), repetitions
            ),
            "Qiskit group_commuting(qubit_wise=True)",
            "≤ 0.2× reference",
            ratio_at_most(0.2),
        ),
    ]
    for size, qubits, limit in ((large, 24, 1.0), (largest, 30, 10.0)):
        terms = molecular(qubits, size, random.Random(2))
        groups = len(group_qubit_wise(terms))
        rows.append(
            Row(
                f"grouping: {size:,} molecular-like terms, {qubits} qubits",
                "s",
                repeat(lambda terms=terms: group_qubit_wise(terms), repetitions),
                None,
                "",
                f"≤ {limit:g} s",
                at_most(limit),
                note=f"{groups:,} groups; Qiskit's O(n²) grouping not run at this size",
            )
        )
    return rows
