"""Pauli strings as bitmasks, and qubit-wise-commuting (QWC) measurement groups.

Strings follow Qiskit's order: character `-1 - q` acts on qubit q. A term is stored as an
(x, z) pair of masks, so commutation checks are a few integer operations.
"""

from __future__ import annotations

import re
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


# Where a term acts and in which Pauli: position in the string (0 = leftmost character) and
# 0, 1, 2 for X, Y, Z.
_NOT_IDENTITY = re.compile("[XYZ]")
_CODE = {"X": 0, "Y": 1, "Z": 2}
_LETTER = b"XYZ"
_IDENTITY = ord("I")

# A term's non-identity qubits as (position, 3 * position + Pauli code): the second is where
# the term's Pauli at that position sits in `_OpenGroups.blocked`.
Acts = list[tuple[int, int]]
_CODE_OF_BYTE = {ord(letter): code for letter, code in _CODE.items()}

# Groups the index holds at once. A term is checked against all of them in one pass over its
# own qubits, each step a bit-mask operation as wide as this; beyond it the group least
# recently joined leaves the index (it stays a group, it only takes no more terms). Real
# Hamiltonians need far fewer groups; dense random terms, which never share a group, would
# otherwise make the work grow with the square of their number.
INDEX_CAPACITY = 8192


def _acts(term: str) -> Acts:
    code = _CODE_OF_BYTE
    return [(i, 3 * i + code[b]) for i, b in enumerate(term.encode()) if b != _IDENTITY]


class _OpenGroups:
    """Groups being filled, with an index that finds the first one a term fits.

    Each group in the index has a slot; `blocked[3 * position + pauli]` is a bit mask of the
    slots whose group measures the qubit at that position in another Pauli. OR-ing the masks
    of a term's non-identity positions gives every slot it cannot join, and the lowest zero
    bit of that is the first it can. When the index is full, a clock hand evicts the slot least
    recently joined (second-chance order) to make room.
    """

    def __init__(self, width: int, capacity: int = INDEX_CAPACITY) -> None:
        self.width = width
        self.capacity = capacity
        self.blocked = [0] * (3 * width)
        self.bases: list[bytearray] = []
        self.members: list[list[int]] = []
        self._group_in: list[int] = []  # slot -> group
        self._joined: list[bool] = []  # slot -> joined since the clock hand last passed
        self._hand = 0

    def place(self, index: int, acts: Acts) -> None:
        """Put term `index` into the first slot's group it fits, or into a new group."""
        blocked = self.blocked
        mask = 0
        for _, entry in acts:
            mask |= blocked[entry]
        slot = ((mask + 1) & ~mask).bit_length() - 1
        if slot < len(self._group_in):
            self._joined[slot] = True
        else:
            slot = self._new_group()
        self._add(slot, index, acts)

    def _new_group(self) -> int:
        self.bases.append(bytearray(b"I" * self.width))
        self.members.append([])
        if len(self._group_in) < self.capacity:
            self._group_in.append(len(self.bases) - 1)
            self._joined.append(False)
            return len(self._group_in) - 1
        slot = self._evict()
        self._group_in[slot] = len(self.bases) - 1
        return slot

    def _evict(self) -> int:
        while self._joined[self._hand]:
            self._joined[self._hand] = False
            self._hand = (self._hand + 1) % self.capacity
        slot, self._hand = self._hand, (self._hand + 1) % self.capacity
        keep = ~(1 << slot)
        blocked = self.blocked
        for position, letter in enumerate(self.bases[self._group_in[slot]]):
            if letter != _IDENTITY:
                base = 3 * position
                blocked[base] &= keep
                blocked[base + 1] &= keep
                blocked[base + 2] &= keep
        return slot

    def _add(self, slot: int, index: int, acts: Acts) -> None:
        group = self._group_in[slot]
        basis, bit, blocked = self.bases[group], 1 << slot, self.blocked
        for position, entry in acts:
            if basis[position] == _IDENTITY:
                base = 3 * position
                pauli = entry - base
                basis[position] = _LETTER[pauli]
                blocked[base + (pauli + 1) % 3] |= bit
                blocked[base + (pauli + 2) % 3] |= bit
        self.members[group].append(index)


# Recolouring rounds after the first greedy pass (Culberson's iterated greedy): each round
# feeds the groups back, whole, into a fresh first-fit pass, which cannot add groups while
# the index holds them all. The rounds shrink as the input grows so the total work stays
# linear: small Hamiltonians get 16 (within a few percent of DSATUR on a conflict graph),
# 20,000 molecular terms one, larger inputs none.
_MAX_ROUNDS = 16
_ROUND_BUDGET = 400_000  # placements (term × qubit) across all rounds


def _first_fit(order: Iterable[int], acts: list[Acts], width: int) -> _OpenGroups:
    groups = _OpenGroups(width)
    for index in order:
        groups.place(index, acts[index])
    return groups


def _conflict_estimates(acts: list[Acts], width: int) -> list[int]:
    """For each term, how many other terms act on its qubits in another Pauli (terms that clash
    on several qubits count several times): a linear stand-in for the degree in the conflict
    graph, which largest-first colouring orders by."""
    acting = [0] * width
    same = [0] * (3 * width)
    for term in acts:
        for position, entry in term:
            acting[position] += 1
            same[entry] += 1
    return [sum(acting[p] - same[entry] for p, entry in term) for term in acts]


def _rounds(acts: list[Acts]) -> int:
    placements = max(1, sum(len(a) for a in acts))
    return min(_MAX_ROUNDS, _ROUND_BUDGET // placements)


# Up to this many terms the conflict graph is cheap (45,000 pairs), and colouring it exactly
# as before (the better of largest-first and DSATUR) sometimes saves a group; the greedy
# result is used when it needs fewer.
SMALL = 300


def group_qubit_wise(terms: Iterable[str]) -> list[MeasurementGroup]:
    """Partition the distinct non-identity terms into QWC groups.

    Greedy colouring without a conflict graph: terms that clash with the most others go first,
    each into the first open group it fits (found with bit masks, see `_OpenGroups`); then
    recolouring rounds merge groups. O(n·k) bit-mask steps for n terms on k qubits, where
    building the conflict graph alone is O(n²·k): 20,000 molecular terms group in under half a
    second of CPU (benchmarks/bench_grouping.py). Up to `SMALL` terms the conflict graph is
    coloured too, and the fewer groups win. Deterministic: the same terms in the same order
    give the same groups, listed by their first-seen term, each keeping its terms in
    first-seen order.
    """
    distinct = [t for t in dict.fromkeys(terms) if _NOT_IDENTITY.search(t)]
    if not distinct:
        return []
    greedy = _greedy(distinct)
    if len(distinct) > SMALL:
        return greedy
    coloured = _coloured(distinct)
    return greedy if len(greedy) < len(coloured) else coloured


def _greedy(distinct: list[str]) -> list[MeasurementGroup]:
    width = len(distinct[0])
    acts = [_acts(t) for t in distinct]
    conflicts = _conflict_estimates(acts, width)
    groups = _first_fit(sorted(range(len(distinct)), key=lambda i: -conflicts[i]), acts, width)
    best = groups
    for round_ in range(_rounds(acts)):
        # Largest groups first, then the reverse of the last pass: the two orders Culberson
        # found to work best together.
        members = groups.members
        classes = sorted(members, key=len, reverse=True) if round_ % 2 == 0 else members[::-1]
        groups = _first_fit((i for c in classes for i in c), acts, width)
        if len(groups.members) < len(best.members):
            best = groups
    return _listed(best, distinct)


# -- small inputs: the conflict graph, coloured ------------------------------------------------


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


def _coloured(distinct: list[str]) -> list[MeasurementGroup]:
    """The better of largest-first (as Qiskit's `group_commuting`) and DSATUR colourings."""
    width = len(distinct[0])
    graph = _conflicts(distinct)
    best = min((_largest_first(graph), _dsatur(graph)), key=lambda c: max(c.values()))
    buckets: dict[int, list[str]] = {}
    for node in range(len(distinct)):  # keep first-seen order inside and across groups
        buckets.setdefault(best[node], []).append(distinct[node])
    ordered = sorted(buckets.values(), key=lambda ts: distinct.index(ts[0]))
    return [MeasurementGroup(_merged_basis(ts, width), tuple(ts)) for ts in ordered]


# -- listing ----------------------------------------------------------------------------------


def _listed(groups: _OpenGroups, distinct: list[str]) -> list[MeasurementGroup]:
    members = [sorted(m) for m in groups.members]
    order = sorted(range(len(members)), key=lambda g: members[g][0])
    return [
        MeasurementGroup(groups.bases[g].decode(), tuple(distinct[i] for i in members[g]))
        for g in order
    ]
