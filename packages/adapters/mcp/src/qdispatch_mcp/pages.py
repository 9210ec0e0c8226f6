"""Results that fit: a job whose results are too large for one tool result comes in pages.

The official MCP client refuses any server-sent event over 1 MiB, and a 22-qubit state vector
is ~200 MB as JSON. So when a job's structured content would exceed `mcp_result_bytes`, the
tool returns the job without `results`, `uncertainties` and `raw_results`, plus one page of
them (`results_page`), and the caller asks for the others by number.

A page holds *parts*. The results are cut into *leaves*, in nesting order:
- `counts`: a counts or quasi-probability dict, its outcomes sorted by count (largest first,
  then by bitstring), so the first page shows the outcomes that matter most;
- `statevector`: a `[real_parts, imag_parts]` leaf, as base64 of little-endian float64 arrays
  (16 bytes an amplitude before base64, against ~45 as JSON text);
- `values`: a list of plain values (expectation values, standard errors), sliced as is;
- `value`: a lone value where a list mixes values and lists (not produced by the run contract's
  shapes, kept so that any JSON reassembles).
A part is a slice `[start, stop)` of one leaf's `total` items, at `path` (the indices from the
field's top list down to the leaf) in `field`. `reassemble` puts pages back together.

Paging is the same whether the job's fields sit under `job` (today) or at the top level
(issue 18 flattens them): `results_page` is a sibling of the job's fields either way.
"""

from __future__ import annotations

import base64
import bisect
import json
import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from pydantic import BaseModel, Field

FIELDS = ("results", "uncertainties", "raw_results")
ENCODING: Final = "base64-float64-le"
# JSON a part costs beyond its items: its keys, path and numbers.
PART_OVERHEAD = 200
# What the page's own keys (page, pages, summary, next_page) cost.
PAGE_OVERHEAD = 1024
# An amplitude in a statevector part: two float64s, base64 (4 characters per 3 bytes).
AMPLITUDE_BYTES = 16 * 4 / 3
Kind = Literal["counts", "statevector", "values", "value"]


class ResultsPart(BaseModel):
    """Items `start`..`stop` (of `total`) of the leaf at `path` in `field`."""

    field: Literal["results", "uncertainties", "raw_results"]
    path: list[int] = Field(
        description="Indices from the field's top list down to the leaf: circuit, then "
        "observable and parameter set where those layers exist."
    )
    kind: Kind
    start: int
    stop: int
    total: int = Field(description="Items in the whole leaf: outcomes, amplitudes or values.")
    counts: dict[str, int | float] | None = Field(
        default=None, description="kind counts: these outcomes, largest count first."
    )
    encoding: Literal["base64-float64-le"] | None = Field(
        default=None, description="kind statevector: how real and imag are encoded."
    )
    real: str | None = Field(default=None, description="kind statevector: real parts.")
    imag: str | None = Field(default=None, description="kind statevector: imaginary parts.")
    values: list[Any] | None = Field(default=None, description="kind values/value: the items.")


class ResultsSummary(BaseModel):
    fields: list[str] = Field(description="The job's fields that come in pages.")
    leaves: dict[str, int] = Field(description="Leaves per kind.")
    items: int = Field(description="Outcomes, amplitudes and values in all.")
    bytes: int = Field(description="About how many bytes all the pages' parts hold together.")


class ResultsPage(BaseModel):
    """One page of results too large for one reply."""

    page: int = Field(description="This page's number, from 1.")
    pages: int = Field(description="How many pages there are.")
    summary: ResultsSummary
    parts: list[ResultsPart]
    next_page: int | None = Field(description="The page to ask for next; null on the last.")


# -- leaves -------------------------------------------------------------------------------


def _scalar_bytes(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, int | float):
        return len(repr(value))
    return len(json.dumps(value, ensure_ascii=False).encode())


def _key_bytes(key: str) -> int:
    return len(key) + 2 if key.isascii() and key.isprintable() else len(json.dumps(key))


def _floats(values: Sequence[float]) -> bytes:
    packed = array("d", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


@dataclass
class Leaf:
    field: str
    path: tuple[int, ...]
    kind: Kind
    total: int
    data: Any  # counts: sorted (key, value) pairs; statevector: (real bytes, imag bytes);
    # values: the list; value: the value
    # Cumulative JSON bytes of the first i items (variable-size kinds), for fitting slices.
    cumulative: list[int] | None = None

    def cost(self, start: int, stop: int) -> float:
        if self.kind == "statevector":
            return (stop - start) * AMPLITUDE_BYTES
        assert self.cumulative is not None
        return self.cumulative[stop] - self.cumulative[start]

    def fit(self, start: int, room: float) -> int:
        """The furthest `stop` whose slice from `start` costs at most `room`."""
        if self.kind == "statevector":
            return min(self.total, start + max(0, int(room // AMPLITUDE_BYTES)))
        assert self.cumulative is not None
        limit = self.cumulative[start] + room
        return max(start, bisect.bisect_right(self.cumulative, limit) - 1)

    @property
    def size(self) -> int:
        return int(self.cost(0, self.total)) + PART_OVERHEAD

    def part(self, start: int, stop: int) -> ResultsPart:
        base: dict[str, Any] = {
            "field": self.field,
            "path": list(self.path),
            "kind": self.kind,
            "start": start,
            "stop": stop,
            "total": self.total,
        }
        if self.kind == "counts":
            return ResultsPart(**base, counts=dict(self.data[start:stop]))
        if self.kind == "statevector":
            real, imag = self.data
            return ResultsPart(
                **base,
                encoding=ENCODING,
                real=base64.b64encode(real[start * 8 : stop * 8]).decode("ascii"),
                imag=base64.b64encode(imag[start * 8 : stop * 8]).decode("ascii"),
            )
        if self.kind == "values":
            return ResultsPart(**base, values=self.data[start:stop])
        return ResultsPart(**base, values=[self.data])


def _cumulative(sizes: Iterable[int]) -> list[int]:
    total, out = 0, [0]
    for size in sizes:
        total += size + 1  # the comma
        out.append(total)
    return out


def _counts_leaf(field: str, path: tuple[int, ...], counts: Mapping[str, Any]) -> Leaf:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    sizes = (_key_bytes(k) + 1 + _scalar_bytes(v) for k, v in ordered)
    return Leaf(field, path, "counts", len(ordered), ordered, _cumulative(sizes))


def _is_statevector(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(part, list) for part in value)
        and len(value[0]) == len(value[1])
        and all(type(x) is float for part in value for x in part[:1])
    )


def leaves(field: str, value: Any, statevector_depth: int | None) -> Iterator[Leaf]:
    """The leaves of one field's value, in nesting order. `statevector_depth` is the depth of
    a StatevectorRun's `[real_parts, imag_parts]` leaves (None: there are none)."""
    yield from _walk(field, value, (), statevector_depth)


def _walk(field: str, value: Any, path: tuple[int, ...], sv_depth: int | None) -> Iterator[Leaf]:
    if isinstance(value, dict):
        yield _counts_leaf(field, path, value)
    elif isinstance(value, list):
        if len(path) == sv_depth and _is_statevector(value):
            data = (_floats(value[0]), _floats(value[1]))
            yield Leaf(field, path, "statevector", len(value[0]), data)
        elif not any(isinstance(item, list | dict) for item in value):
            yield Leaf(
                field, path, "values", len(value), value, _cumulative(map(_scalar_bytes, value))
            )
        else:
            for i, item in enumerate(value):
                yield from _walk(field, item, (*path, i), sv_depth)
    else:
        yield Leaf(field, path, "value", 1, value, [0, _scalar_bytes(value)])


# -- pages --------------------------------------------------------------------------------

Slice = tuple[int, int, int]  # leaf index, start, stop


def cut(all_leaves: Sequence[Leaf], budget: int) -> list[list[Slice]]:
    """Pages of at most `budget` bytes (about), filled greedily in leaf order; a leaf too
    large for what is left of a page continues on the next."""
    pages: list[list[Slice]] = []
    page: list[Slice] = []
    room = float(budget)
    for index, leaf in enumerate(all_leaves):
        start = 0
        while True:
            stop = leaf.fit(start, room - PART_OVERHEAD)
            if stop == start and start < leaf.total and page:
                pages.append(page)  # nothing more fits: next page
                page, room = [], float(budget)
                continue
            if stop == start and start < leaf.total:
                stop = start + 1  # one item larger than a page: alone, over budget
            page.append((index, start, stop))
            room -= leaf.cost(start, stop) + PART_OVERHEAD
            start = stop
            if start >= leaf.total:
                break
    if page or not pages:
        pages.append(page)
    return pages


@dataclass
class PagedResults:
    """A job's large fields, cut into pages of a given size."""

    fields: list[str]
    leaves: list[Leaf]
    pages: list[list[Slice]]

    @classmethod
    def of(cls, values: Mapping[str, Any], statevector_depth: int | None, budget: int):
        fields = [f for f in FIELDS if values.get(f) is not None]
        found = [
            leaf
            for f in fields
            for leaf in leaves(f, values[f], statevector_depth if f == "results" else None)
        ]
        return cls(fields, found, cut(found, budget))

    @property
    def encoded_bytes(self) -> int:
        return sum(leaf.size for leaf in self.leaves)

    def summary(self) -> ResultsSummary:
        kinds: dict[str, int] = {}
        for leaf in self.leaves:
            kinds[leaf.kind] = kinds.get(leaf.kind, 0) + 1
        items = sum(leaf.total for leaf in self.leaves)
        return ResultsSummary(
            fields=self.fields, leaves=kinds, items=items, bytes=self.encoded_bytes
        )

    def page(self, number: int) -> ResultsPage:
        """Page `number`, from 1 (the caller checks the range)."""
        slices = self.pages[number - 1]
        parts = [self.leaves[i].part(start, stop) for i, start, stop in slices]
        return ResultsPage(
            page=number,
            pages=len(self.pages),
            summary=self.summary(),
            parts=parts,
            next_page=number + 1 if number < len(self.pages) else None,
        )

    @property
    def memory_bytes(self) -> int:
        """About what this object keeps alive (for the page cache's budget)."""
        return sum(leaf.size * (2 if leaf.kind != "statevector" else 1) for leaf in self.leaves)


# -- size -----------------------------------------------------------------------------------


def json_size(value: Any, limit: int) -> int:
    """About how many bytes `value` takes as JSON; stops counting once past `limit`."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            total += 2
            for key, inner in item.items():
                total += _key_bytes(str(key)) + 2
                if isinstance(inner, list | dict):
                    stack.append(inner)
                else:
                    total += _scalar_bytes(inner)
                if total > limit:
                    return total
        elif isinstance(item, list):
            total += 2 + len(item)
            if all(type(x) is float for x in item[:8]) and len(item) > 8:
                total += 20 * len(item)  # a float's repr is ~18-24 characters
            else:
                stack.extend(item)
        else:
            total += _scalar_bytes(item)
        if total > limit:
            return total
    return total


# -- reassembly ----------------------------------------------------------------------------


def _unpack(text: str) -> list[float]:
    packed = array("d", base64.b64decode(text))
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tolist()


def _place(root: list[Any], path: Sequence[int], make: Any) -> Any:
    """The container at `path` under `root` (a one-element list holding the field), made
    with `make()` when missing."""
    node: list[Any] = root
    index = 0
    for step in path:
        if node[index] is None:
            node[index] = []
        node = node[index]
        while len(node) <= step:
            node.append(None)
        index = step
    if node[index] is None:
        node[index] = make()
    return node[index]


def reassemble(pages: Iterable[Mapping[str, Any] | ResultsPage]) -> dict[str, Any]:
    """The paged fields ({"results": …, …}) rebuilt from every page's `results_page`."""
    roots: dict[str, list[Any]] = {}
    for page in pages:
        data = page.model_dump() if isinstance(page, ResultsPage) else page
        for part in data["parts"]:
            root = roots.setdefault(part["field"], [None])
            _add(root, part)
    return {field: root[0] for field, root in roots.items()}


def _add(root: list[Any], part: Mapping[str, Any]) -> None:
    kind, start, stop, total = part["kind"], part["start"], part["stop"], part["total"]
    path = part["path"]
    if kind == "counts":
        _place(root, path, dict).update(part["counts"])
    elif kind == "statevector":
        leaf = _place(root, path, lambda: [[0.0] * total, [0.0] * total])
        leaf[0][start:stop] = _unpack(part["real"])
        leaf[1][start:stop] = _unpack(part["imag"])
    elif kind == "values":
        leaf = _place(root, path, lambda: [None] * total)
        leaf[start:stop] = part["values"]
    else:
        *above, last = path or [0]
        parent = _place(root, above, list) if path else root
        while len(parent) <= last:
            parent.append(None)
        parent[last] = part["values"][0]
