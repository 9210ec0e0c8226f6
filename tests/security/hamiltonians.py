"""Pauli term sets for grouping tests and benchmarks, seeded: molecular-like (Jordan–Wigner
shapes of one- and two-body terms), sparse k-local, and dense random strings."""

from __future__ import annotations

import itertools
import random


def dense(n: int, qubits: int, rng: random.Random) -> list[str]:
    """Uniformly random strings: almost no two commute qubit-wise (the worst case)."""
    return ["".join(rng.choice("IXYZ") for _ in range(qubits)) for _ in range(n)]


def sparse(n: int, qubits: int, weight: int, rng: random.Random) -> list[str]:
    """Terms acting on `weight` random qubits each, like lattice and spin models."""
    out = []
    for _ in range(n):
        term = ["I"] * qubits
        for q in rng.sample(range(qubits), weight):
            term[q] = rng.choice("XYZ")
        out.append("".join(term))
    return out


def molecular(qubits: int, limit: int, rng: random.Random) -> list[str]:
    """Up to `limit` distinct terms shaped like a Jordan–Wigner electronic Hamiltonian: Z and
    ZZ number terms, then excitation terms p<q<r<s with X/Y on the four (an even number of Y)
    and Z strings between each pair."""
    terms: dict[str, None] = {}
    for p in range(qubits):
        term = ["I"] * qubits
        term[p] = "Z"
        terms["".join(term)] = None
    for p, q in itertools.combinations(range(qubits), 2):
        term = ["I"] * qubits
        term[p] = term[q] = "Z"
        terms["".join(term)] = None
    quads = list(itertools.combinations(range(qubits), 4))
    rng.shuffle(quads)
    for quad in quads:
        if len(terms) >= limit:
            break
        for letters in itertools.product("XY", repeat=4):
            if letters.count("Y") % 2:
                continue
            term = ["I"] * qubits
            for a, b in ((quad[0], quad[1]), (quad[2], quad[3])):
                for z in range(a + 1, b):
                    term[z] = "Z"
            for position, letter in zip(quad, letters, strict=True):
                term[position] = letter
            terms["".join(reversed(term))] = None
    return list(terms)[:limit]
