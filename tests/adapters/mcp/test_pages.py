"""Paging large results: any results cut into pages of any size reassemble exactly; counts come
largest first; state vectors travel as base64 float64; a page stays within its budget."""

from __future__ import annotations

import base64
import itertools
import json
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from qdispatch_mcp.pages import PAGE_OVERHEAD, PagedResults, json_size, reassemble

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
bitstrings = st.text(alphabet="01", min_size=1, max_size=12)
counts = st.dictionaries(bitstrings, st.integers(0, 10**9), min_size=1, max_size=40)
quasi = st.dictionaries(bitstrings, finite, min_size=1, max_size=20)
values = st.lists(finite, max_size=40)


@st.composite
def statevectors(draw):
    n = draw(st.integers(0, 64))
    return [
        draw(st.lists(finite, min_size=n, max_size=n)),
        draw(st.lists(finite, min_size=n, max_size=n)),
    ]


def nested(leaf, depth: int):
    strategy = leaf
    for _ in range(depth):
        strategy = st.lists(strategy, min_size=1, max_size=4)
    return strategy


@st.composite
def jobs(draw):
    """(fields, statevector depth) shaped like the run contract's results."""
    kind = draw(st.sampled_from(["counts", "quasi", "statevector", "expectations"]))
    depth = draw(st.integers(1, 2))  # circuits, and maybe parameter sets
    if kind == "statevector":
        return {"results": draw(nested(statevectors(), depth))}, depth
    if kind == "expectations":  # circuits → observables → parameter sets, floats
        shape = nested(st.lists(finite, min_size=1, max_size=6), depth)
        return {"results": draw(shape), "uncertainties": draw(shape)}, None
    leaf = counts if kind == "counts" else quasi
    fields = {"results": draw(nested(leaf, depth))}
    if kind == "quasi":
        fields["raw_results"] = draw(nested(counts, depth))
    return fields, None


@settings(max_examples=300, deadline=None)
@given(jobs(), st.integers(300, 6000))
def test_any_results_cut_into_any_pages_reassemble_exactly(job, budget):
    fields, depth = job
    paged = PagedResults.of(fields, depth, budget)
    pages = [paged.page(n) for n in range(1, len(paged.pages) + 1)]
    assert [p.next_page for p in pages] == [*range(2, len(pages) + 1), None]
    rebuilt = reassemble(pages)
    assert rebuilt == fields
    # Bit for bit: state vectors are floats, and -0.0 == 0.0 would hide a sign lost.
    assert json.dumps(rebuilt, sort_keys=True) == json.dumps(fields, sort_keys=True)


@settings(max_examples=100, deadline=None)
@given(jobs(), st.integers(2000, 6000))
def test_a_page_stays_within_its_budget(job, budget):
    fields, depth = job
    paged = PagedResults.of(fields, depth, budget)
    for n in range(1, len(paged.pages) + 1):
        parts = paged.page(n).model_dump(mode="json")["parts"]
        size = len(json.dumps(parts, separators=(",", ":")))
        assert size <= budget + PAGE_OVERHEAD, (size, budget)


def test_counts_come_largest_first_then_by_bitstring():
    fields = {"results": [{"00": 5, "11": 90, "01": 5, "10": 0}]}
    paged = PagedResults.of(fields, None, 100_000)
    (part,) = paged.page(1).parts
    assert list(part.counts.items()) == [("11", 90), ("00", 5), ("01", 5), ("10", 0)]
    assert (part.kind, part.path, part.start, part.stop, part.total) == ("counts", [0], 0, 4, 4)


def test_a_state_vector_is_base64_little_endian_float64():
    real, imag = [0.5, -0.25, 1e-300], [0.0, -0.0, 2.0]
    paged = PagedResults.of({"results": [[real, imag]]}, 1, 100_000)
    (part,) = paged.page(1).parts
    assert part.kind == "statevector" and part.encoding == "base64-float64-le"
    assert base64.b64decode(part.real) == struct.pack("<3d", *real)
    assert base64.b64decode(part.imag) == struct.pack("<3d", *imag)


def test_a_large_state_vector_is_split_across_pages_at_amplitude_boundaries():
    n = 4096
    real = [i / n for i in range(n)]
    imag = [-i / n for i in range(n)]
    paged = PagedResults.of({"results": [[real, imag]]}, 1, 20_000)
    pages = [paged.page(k) for k in range(1, len(paged.pages) + 1)]
    assert len(pages) > 4
    spans = [(p.start, p.stop) for page in pages for p in page.parts]
    assert spans[0][0] == 0 and spans[-1][1] == n
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    assert reassemble(pages) == {"results": [[real, imag]]}


def test_the_size_estimate_stops_early_and_is_close():
    big = {"results": [{format(i, "020b"): i for i in range(20_000)}]}
    exact = len(json.dumps(big, separators=(",", ":")))
    estimate = json_size(big, 10**9)
    assert 0.8 * exact <= estimate <= 1.2 * exact
    assert json_size(big, 1000) < 5000  # gave up counting soon after the limit
