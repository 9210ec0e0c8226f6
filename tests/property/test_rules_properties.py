"""Hypothesis properties of the run contract's rules (≥ 200 examples each)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from qdispatch_core.domain import RunType
from qdispatch_core.rules.expectation import (
    coefficient_bound,
    exact_expectation,
    expectation_from_groups,
)
from qdispatch_core.rules.observables import normalize_observables
from qdispatch_core.rules.parameters import normalize_parameters
from qdispatch_core.rules.paulis import group_qubit_wise, qubit_wise_commute
from qdispatch_core.rules.plan import assemble, build_plan, iter_leaves

EXAMPLES = settings(max_examples=250, deadline=None)

values = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
names = st.lists(
    st.from_regex(r"[a-z]{1,3}[0-9]{0,2}", fullmatch=True), max_size=3, unique=True
).map(lambda ns: tuple(sorted(ns)))


def pauli(n: int):
    return st.text(alphabet="IXYZ", min_size=n, max_size=n)


def observable(n: int):
    return (
        st.integers(1, 5)
        .flatmap(
            lambda k: st.tuples(
                st.lists(pauli(n), min_size=k, max_size=k), st.lists(values, min_size=k, max_size=k)
            )
        )
        .map(lambda t: [t[0], t[1]])
    )


@st.composite
def parameter_input(draw):
    """Circuits' parameter names, and a raw `parameters` in any documented shape."""
    circuit_names = draw(st.lists(names, min_size=1, max_size=3))

    def one_set(ns):
        vs = draw(st.lists(values, min_size=len(ns), max_size=len(ns)))
        return dict(zip(ns, vs, strict=True)) if ns and draw(st.booleans()) else vs

    def entry(ns):
        if not ns:
            return draw(st.sampled_from([[], [[]]]))
        sets = [one_set(ns) for _ in range(draw(st.integers(1, 3)))]
        return sets[0] if len(sets) == 1 and draw(st.booleans()) else sets

    entries = [entry(ns) for ns in circuit_names]
    if len(entries) == 1:
        raw = draw(st.sampled_from([entries[0], [entries[0]]]))
    else:
        raw = entries
    return raw, circuit_names


@st.composite
def observable_input(draw):
    qubits = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    entries = []
    for n in qubits:
        obs = draw(st.lists(observable(n), min_size=1, max_size=3))
        entries.append(obs[0] if len(obs) == 1 and draw(st.booleans()) else obs)
    if len(entries) == 1:
        e = entries[0]
        options = [e, [e]] if isinstance(e[0][0], list) else [e, [e], [[e]]]
        raw = draw(st.sampled_from(options))
    else:
        raw = entries
    return raw, qubits


@EXAMPLES
@given(parameter_input())
def test_parameter_normalisation_accepts_every_shape_and_is_idempotent(case):
    raw, circuit_names = case
    once = normalize_parameters(raw, circuit_names)
    assert len(once) == len(circuit_names)
    for sets, ns in zip(once, circuit_names, strict=True):
        assert len(sets) >= 1 and all(len(s) == len(ns) for s in sets)
    assert normalize_parameters(once, circuit_names) == once


@EXAMPLES
@given(observable_input())
def test_observable_normalisation_accepts_every_shape_and_is_idempotent(case):
    raw, qubits = case
    once = normalize_observables(raw, qubits)
    assert len(once) == len(qubits)
    for observables, n in zip(once, qubits, strict=True):
        assert observables and all(len(p) == n for obs in observables for p in obs[0])
    assert normalize_observables(once, qubits) == once


@st.composite
def plans(draw):
    run_type = draw(st.sampled_from(list(RunType)))
    n_circuits = draw(st.integers(1, 3))
    qubits = [draw(st.integers(1, 3)) for _ in range(n_circuits)]
    with_params = draw(st.booleans())
    with_obs = draw(st.booleans())
    parameters = (
        [[[0.0] * draw(st.integers(0, 2))] * draw(st.integers(1, 3)) for _ in range(n_circuits)]
        if with_params
        else None
    )
    observables = (
        [draw(st.lists(observable(n), min_size=1, max_size=3)) for n in qubits]
        if with_obs
        else None
    )
    estimates = draw(st.booleans())  # the provider estimates observables (a Run only)
    return build_plan(run_type, 100, qubits, parameters, observables, provider_estimates=estimates)


def fake_outputs(plan):
    kind = plan.output_kind
    outputs = []
    for e in plan.executables:
        n = plan.circuits[e.circuit].qubits
        if kind == "counts":
            outputs.append({"0" * n: 60, "1" * n: 40})
        elif kind == "statevector":
            outputs.append([[e.index] * (1 << n), [0.0] * (1 << n)])
        else:
            outputs.append([float(o) for o in range(len(plan.circuits[e.circuit].observables))])
    return outputs


@EXAMPLES
@given(plans())
def test_flatten_then_nest_restores_the_contract_shape(plan):
    results, uncertainties = assemble(plan, fake_outputs(plan))
    assert len(results) == len(plan.circuits)  # the circuit layer is always there
    for c, cp in enumerate(plan.circuits):
        per_circuit = results[c]
        if plan.has_observables:
            assert isinstance(per_circuit, list) and len(per_circuit) == len(cp.observables)
            inner = per_circuit
        else:
            inner = [per_circuit]
        for per_obs in inner:
            if plan.has_parameters:
                assert isinstance(per_obs, list) and len(per_obs) == len(cp.parameter_sets)
                leaves = per_obs
            else:
                leaves = [per_obs]  # the parameter layer is absent: this is the leaf itself
            for leaf in leaves:
                if plan.has_observables:
                    assert isinstance(leaf, float)
                elif plan.output_kind == "counts":
                    assert isinstance(leaf, dict)
                else:
                    assert isinstance(leaf, list) and len(leaf) == 2  # [real, imag]
    leaves = list(iter_leaves(plan, results))
    expected = sum(
        len(cp.parameter_sets) * (len(cp.observables) if plan.has_observables else 1)
        for cp in plan.circuits
    )
    assert len(leaves) == expected
    if plan.has_observables:
        assert [u for *_, u in iter_leaves(plan, uncertainties)]  # same shape, walkable
        assert len(list(iter_leaves(plan, uncertainties))) == expected
    else:
        assert uncertainties is None


def marker(c: int, o: int | None, p: int) -> int:
    """A number that names one (circuit, observable, parameter set) and no other."""
    return 100 * c + 10 * (0 if o is None else o + 1) + p + 1


def group_code(c: int, g: int, p: int) -> int:
    """Names one sampled executable (circuit, measurement group, parameter set): 1..255."""
    return 1 + p + 4 * (g + 16 * c)


def marked_outputs(plan):
    """Each executable's output names the executable: its own circuit, group, parameter set."""
    kind = plan.output_kind
    outputs, errors = [], []
    for e in plan.executables:
        cp = plan.circuits[e.circuit]
        n = cp.qubits
        if kind == "statevector":
            outputs.append([[float(marker(e.circuit, None, e.parameter_set))] * (1 << n)] * 2)
        elif kind == "expectations":
            names = [marker(e.circuit, o, e.parameter_set) for o in range(len(cp.observables))]
            outputs.append([float(m) for m in names])
            errors.append([m / 1000 for m in names])
        elif plan.has_observables:  # sampled: all-zeros k times, all-ones 256 - k times
            k = group_code(e.circuit, e.group, e.parameter_set)
            outputs.append({"0" * n: k, "1" * n: 256 - k})
        else:
            outputs.append({"0" * n: marker(e.circuit, None, e.parameter_set)})
    return outputs, (errors if plan.estimated_by_provider else None)


def sampled_oracle(plan, c, o, p):
    """(value, standard error) of observable o from the marked counts, term by term.

    With counts k × 0…0 and (256 - k) × 1…1, a term of even weight reads +1 and one of odd
    weight (2k - 256) / 256; the group's per-shot sum differs between the two outcomes by twice
    its odd-weight coefficients.
    """
    cp = plan.circuits[c]
    paulis, coeffs = cp.observables[o]
    value, variance = 0.0, 0.0
    odd_by_group = [0.0] * len(cp.groups)
    for pauli, coeff in zip(paulis, coeffs, strict=True):
        weight = sum(ch != "I" for ch in pauli)
        if weight == 0:
            value += coeff
            continue
        (g,) = [g for g, group in enumerate(cp.groups) if pauli in group.terms]
        k = group_code(c, g, p)
        value += coeff * ((2 * k - 256) / 256 if weight % 2 else 1.0)
        odd_by_group[g] += coeff if weight % 2 else 0.0
    for g, odd in enumerate(odd_by_group):
        k = group_code(c, g, p)
        variance += k * (256 - k) / 256**2 * (2 * odd) ** 2 / plan.shots
    return value, math.sqrt(variance)


def at(plan, nested, c, o, p):
    """The §5 position of (circuit, observable, parameter set), read by hand."""
    node = nested[c]
    if plan.has_observables:
        node = node[o]
    return node[p] if plan.has_parameters else node


@EXAMPLES
@given(plans())
def test_every_nested_leaf_is_the_result_of_the_executable_it_sits_for(plan):
    outputs, errors = marked_outputs(plan)
    results, uncertainties = assemble(plan, outputs, errors)
    kind = plan.output_kind
    for c, cp in enumerate(plan.circuits):
        n = cp.qubits
        for o in range(len(cp.observables)) if plan.has_observables else [None]:
            for p in range(len(cp.parameter_sets)):
                leaf = at(plan, results, c, o, p)
                if kind == "statevector":
                    assert leaf == [[float(marker(c, None, p))] * (1 << n)] * 2
                elif kind == "counts" and not plan.has_observables:
                    assert leaf == {"0" * n: marker(c, None, p)}
                elif kind == "expectations":
                    assert leaf == float(marker(c, o, p))
                    error = marker(c, o, p) / 1000 if plan.estimated_by_provider else 0.0
                    assert at(plan, uncertainties, c, o, p) == error
                else:
                    value, error = sampled_oracle(plan, c, o, p)
                    assert math.isclose(leaf, value, rel_tol=1e-9, abs_tol=1e-9)
                    spread = at(plan, uncertainties, c, o, p)
                    assert math.isclose(spread, error, rel_tol=1e-9, abs_tol=1e-9)


@EXAMPLES
@given(st.integers(1, 5).flatmap(lambda n: st.lists(pauli(n), min_size=1, max_size=25)))
def test_grouping_covers_every_term_once_with_commuting_groups(terms):
    groups = group_qubit_wise(terms)
    grouped = [t for g in groups for t in g.terms]
    wanted = {t for t in terms if set(t) - {"I"}}
    assert sorted(grouped) == sorted(wanted)  # every term in exactly one group
    for g in groups:
        assert all(qubit_wise_commute(a, b) for a in g.terms for b in g.terms)
        for t in g.terms:  # the group's basis measures every term it holds
            assert all(ch == "I" or ch == b for ch, b in zip(t, g.basis, strict=True))


@EXAMPLES
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.integers(0, 5), min_size=1 << n, max_size=1 << n).filter(any),
            st.lists(st.text(alphabet="IZ", min_size=n, max_size=n), min_size=1, max_size=5),
            st.lists(values, min_size=5, max_size=5),
            st.integers(1, 7),
        )
    )
)
def test_counts_of_an_exact_distribution_give_the_exact_diagonal_expectation(case):
    n, weights, paulis, coeffs, multiple = case
    total = sum(weights)
    counts = {format(k, f"0{n}b"): w * multiple for k, w in enumerate(weights) if w}
    real = [math.sqrt(w / total) for w in weights]
    obs = [paulis, coeffs[: len(paulis)]]
    groups = group_qubit_wise(paulis)
    value, _ = expectation_from_groups(obs, groups, [counts] * len(groups), total * multiple)
    assert math.isclose(value, exact_expectation(real, [0.0] * len(real), obs), abs_tol=1e-9)


@EXAMPLES
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            observable(n),
            st.lists(
                st.dictionaries(
                    st.integers(0, (1 << n) - 1).map(lambda k: format(k, f"0{n}b")),
                    st.integers(1, 50),
                    min_size=1,
                    max_size=8,
                ),
                min_size=20,
                max_size=20,
            ),
        )
    )
)
def test_every_estimate_lies_within_the_coefficient_bound(case):
    obs, counts_pool = case
    groups = group_qubit_wise(obs[0])
    counts = counts_pool[: len(groups)]
    shots = 100
    value, err = expectation_from_groups(obs, groups, counts, shots)
    bound = coefficient_bound(obs)
    assert -bound - 1e-9 <= value <= bound + 1e-9
    assert err >= 0
