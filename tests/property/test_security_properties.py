"""Rules of issue 22 that hold for any input: canonical form is a fixed point, its hash is the
identity, quotes in errors stay short, and grouping stays valid past the small-input path."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qdispatch_core.rules._shapes import QUOTE_MAX, describe, quote
from qdispatch_core.rules.circuits import canonical_source, content_hash
from qdispatch_core.rules.paulis import SMALL, group_qubit_wise

TEXT = st.text(alphabet=st.sampled_from(list("ab ;/\t\r\n\x0b\x0c\x85\u2028x")), max_size=60)


@given(TEXT)
def test_canonical_form_is_a_fixed_point_and_names_the_identity(text):
    once = canonical_source(text)
    assert canonical_source(once) == once
    assert content_hash(text) == content_hash(once)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
        lambda inner: (
            st.lists(inner, max_size=8) | st.dictionaries(st.text(max_size=20), inner, max_size=8)
        ),
        max_leaves=40,
    )
)
def test_descriptions_and_quotes_stay_short(value):
    assert len(describe(value)) <= QUOTE_MAX
    assert len(quote(value)) <= QUOTE_MAX + 40


KEYS = st.sampled_from(["token", "api_key", "Password", "aws_secret_access_key", "auth"])


@given(st.dictionaries(KEYS, st.just("s3cr3t"), min_size=1), st.integers(0, 3))
def test_credential_like_keys_never_show_their_values(mapping, depth):
    value = mapping
    for _ in range(depth):
        value = [{"options": value}]
    assert "s3cr3t" not in describe(value)


@settings(max_examples=20, deadline=None)
@given(
    st.integers(min_value=4, max_value=12).flatmap(
        lambda width: st.lists(
            st.text(alphabet="IXYZ", min_size=width, max_size=width),
            min_size=SMALL + 1,
            max_size=SMALL + 200,
        )
    )
)
def test_the_greedy_path_covers_every_term_once_with_measurable_groups(terms):
    groups = group_qubit_wise(terms)
    placed = [t for g in groups for t in g.terms]
    assert sorted(placed) == sorted({t for t in terms if set(t) != {"I"}})
    for group in groups:
        for term in group.terms:
            assert all(p in ("I", b) for p, b in zip(term, group.basis, strict=True))
