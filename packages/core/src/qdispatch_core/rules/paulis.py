"""Pauli strings as bitmasks, and qubit-wise-commuting (QWC) measurement groups.

Strings follow Qiskit's order: character `-1 - q` acts on qubit q. A term is stored as an
(x, z) pair of masks, so commutation checks are a few integer operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def masks(pauli: str) -> tuple[int, int]:
    """(x_mask, z_mask) of a Pauli string; Y sets both bits."""
    x = z = 0
    for q, ch in enumerate(reversed(pauli)):
        if ch in "XY":
            x |= 1 << q
        if ch in "ZY":
            z |= 1 << q
    return x, z


def support(pauli: str) -> int:
    x, z = masks(pauli)
    return x | z


def qubit_wise_commute(a: str, b: str) -> bool:
    """True when on every qubit the two strings agree or one of them is I."""
    xa, za = masks(a)
    xb, zb = masks(b)
    return _qwc(xa, za, xb, zb)


def _qwc(xa: int, za: int, xb: int, zb: int) -> bool:
    overlap = (xa | za) & (xb | zb)
    return ((xa ^ xb) | (za ^ zb)) & overlap == 0


@dataclass(frozen=True, slots=True)
class MeasurementGroup:
    """Terms measured together by one circuit: rotate every qubit into `basis`, then measure.

    `basis` has one character per qubit (I where no term acts, measured in Z like any other).
    """

    basis: str
    terms: tuple[str, ...]


def _conflicts(terms: Sequence[str]) -> list[set[int]]:
    ms = [masks(t) for t in terms]
    graph: list[set[int]] = [set() for _ in terms]
    for i, (xi, zi) in enumerate(ms):
        for j in range(i + 1, len(ms)):
            xj, zj = ms[j]
            if not _qwc(xi, zi, xj, zj):
                graph[i].add(j)
                graph[j].add(i)
    return graph


def _smallest_free_colour(neighbours: Iterable[int], colour: dict[int, int]) -> int:
    used = {colour[n] for n in neighbours if n in colour}
    c = 0
    while c in used:
        c += 1
    return c


def _largest_first(graph: list[set[int]]) -> dict[int, int]:
    colour: dict[int, int] = {}
    for node in sorted(range(len(graph)), key=lambda n: (-len(graph[n]), n)):
        colour[node] = _smallest_free_colour(graph[node], colour)
    return colour


def _dsatur(graph: list[set[int]]) -> dict[int, int]:
    colour: dict[int, int] = {}
    seen_colours: list[set[int]] = [set() for _ in graph]
    uncoloured = set(range(len(graph)))
    while uncoloured:
        node = max(uncoloured, key=lambda n: (len(seen_colours[n]), len(graph[n]), -n))
        c = _smallest_free_colour(graph[node], colour)
        colour[node] = c
        uncoloured.discard(node)
        for n in graph[node]:
            seen_colours[n].add(c)
    return colour


def _merged_basis(terms: Sequence[str], width: int) -> str:
    basis = ["I"] * width
    for t in terms:
        for i, ch in enumerate(t):
            if ch != "I":
                basis[i] = ch
    return "".join(basis)


def group_qubit_wise(terms: Iterable[str]) -> list[MeasurementGroup]:
    """Partition the distinct non-identity terms into QWC groups, as few as two greedy
    colourings find (largest-first, as Qiskit's `group_commuting`, and DSATUR).

    Deterministic: the same terms in the same order give the same groups.
    """
    distinct = list(dict.fromkeys(t for t in terms if set(t) - {"I"}))
    if not distinct:
        return []
    width = len(distinct[0])
    graph = _conflicts(distinct)
    best = min((_largest_first(graph), _dsatur(graph)), key=lambda c: max(c.values()))
    buckets: dict[int, list[str]] = {}
    for node in range(len(distinct)):  # keep first-seen order inside and across groups
        buckets.setdefault(best[node], []).append(distinct[node])
    ordered = sorted(buckets.values(), key=lambda ts: distinct.index(ts[0]))
    return [MeasurementGroup(_merged_basis(ts, width), tuple(ts)) for ts in ordered]
