"""H3: qubit-wise-commuting grouping without a conflict graph. 20,000 terms (the review's case
took O(n²) time and 3.9 GB at 10⁵ terms) group into valid measurement circuits, as few as
Qiskit's own grouping finds; the time is measured in benchmarks/bench_grouping.py."""

from __future__ import annotations

import random

import pytest
from qiskit.quantum_info import SparsePauliOp

from qdispatch_core.rules.paulis import _acts, _OpenGroups, group_qubit_wise
from tests.security.hamiltonians import dense, molecular, sparse


def check_partition(terms: list[str], groups) -> None:
    """Every distinct non-identity term in exactly one group; every group measurable in its
    basis (on every qubit a term acts on, the basis has the term's Pauli)."""
    placed = [t for g in groups for t in g.terms]
    expected = {t for t in terms if set(t) != {"I"}}
    assert len(placed) == len(set(placed)) and set(placed) == expected
    for group in groups:
        for term in group.terms:
            assert all(p in ("I", b) for p, b in zip(term, group.basis, strict=True)), group


CASES = {
    "molecular, 12 qubits": molecular(12, 2000, random.Random(1)),
    "molecular, 16 qubits": molecular(16, 2000, random.Random(2)),
    "sparse 4-local, 30 qubits": sparse(2000, 30, 4, random.Random(3)),
    "sparse 2-local, 50 qubits": sparse(3000, 50, 2, random.Random(4)),
    "dense, 20 qubits": dense(1000, 20, random.Random(5)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_groups_are_valid_and_no_more_than_qiskits(name):
    terms = CASES[name]
    groups = group_qubit_wise(terms)
    check_partition(terms, groups)
    qiskit = len(SparsePauliOp(terms).group_commuting(qubit_wise=True))
    assert len(groups) <= qiskit, (name, len(groups), qiskit)


def test_twenty_thousand_terms_group():
    terms = molecular(24, 20_000, random.Random(6))
    groups = group_qubit_wise(terms)
    check_partition(terms, groups)
    assert len(groups) < len(terms) // 2


def test_a_full_index_evicts_and_stays_valid():
    """With the index at capacity the group least recently joined leaves it: its terms stay
    grouped, later terms just cannot join it."""
    terms = sparse(400, 12, 3, random.Random(7))
    index = _OpenGroups(12, capacity=4)
    for i, term in enumerate(terms):
        index.place(i, _acts(term))
    assert len(index.members) > 4
    for basis, members in zip(index.bases, index.members, strict=True):
        for i in members:
            assert all(p in ("I", chr(b)) for p, b in zip(terms[i], basis, strict=True))
    assert sorted(i for m in index.members for i in m) == list(range(len(terms)))


def test_the_same_terms_give_the_same_groups():
    terms = molecular(14, 1500, random.Random(8))
    assert group_qubit_wise(terms) == group_qubit_wise(list(terms))
