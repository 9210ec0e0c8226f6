"""Random circuits (≤ 6 qubits): the sampled expectation of a random observable lies within
5 standard errors of the exact value.

The exact value and its standard error come from exact probabilities (Qiskit's Statevector,
independent of Aer) of each measurement group the core plans, so the bound is the true
sampling spread, not the spread the sample happens to show.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import Statevector

from qdispatch_core.domain import RunType
from qdispatch_core.rules.expectation import expectation_from_groups
from qdispatch_core.rules.plan import assemble
from qdispatch_qiskit import drop_final_measurements, measure_in_basis, parse_qasm, sparse_pauli_op
from tests.contract.backend_contract import make_spec
from tests.providers.aer.conftest import run_outputs

SHOTS = 2000
ONE_QUBIT = ["h", "x", "y", "z", "s", "sdg", "t", "sx"]
ROTATIONS = ["rx", "ry", "rz"]
TWO_QUBIT = ["cx", "cz", "swap"]
HEADERS = {
    2: 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[{n}];\ncreg c[{n}];\n',
    3: 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[{n}] q;\nbit[{n}] c;\n',
}
MEASURE_ALL = {2: "measure q -> c;\n", 3: "c = measure q;\n"}


@st.composite
def gate_line(draw, n: int) -> str:
    kinds = ["one", "rotation"] + (["two", "crx"] if n > 1 else [])
    kind = draw(st.sampled_from(kinds))
    qubit = st.integers(0, n - 1)
    angle = draw(st.floats(-math.pi, math.pi, allow_nan=False))
    if kind == "one":
        return f"{draw(st.sampled_from(ONE_QUBIT))} q[{draw(qubit)}];"
    if kind == "rotation":
        return f"{draw(st.sampled_from(ROTATIONS))}({angle:.12f}) q[{draw(qubit)}];"
    a, b = draw(st.lists(qubit, min_size=2, max_size=2, unique=True))
    if kind == "two":
        return f"{draw(st.sampled_from(TWO_QUBIT))} q[{a}], q[{b}];"
    return f"crx({angle:.12f}) q[{a}], q[{b}];"


@st.composite
def random_case(draw):
    n = draw(st.integers(1, 6))
    version = draw(st.sampled_from([2, 3]))
    lines = draw(st.lists(gate_line(n), min_size=1, max_size=14))
    measured = draw(st.booleans())  # Run with observables drops final measurements
    source = HEADERS[version].format(n=n) + "\n".join(lines) + "\n"
    source += MEASURE_ALL[version] if measured else ""
    pauli = st.text(alphabet="IXYZ", min_size=n, max_size=n)
    terms = draw(st.lists(pauli, min_size=1, max_size=4))
    coefficients = draw(
        st.lists(
            st.floats(-2, 2, allow_nan=False).filter(lambda c: abs(c) > 1e-3),
            min_size=len(terms),
            max_size=len(terms),
        )
    )
    seed = draw(st.integers(0, 2**31 - 1))
    return source, [terms, coefficients], seed


def _exact_value_and_error(source, observable, spec):
    """Exact expectation, and the exact standard error of the estimate from SHOTS shots."""
    base = drop_final_measurements(parse_qasm(source))
    groups = spec.plan.circuits[0].groups
    probabilities = [
        Statevector(drop_final_measurements(measure_in_basis(base, g.basis))).probabilities_dict()
        for g in groups
    ]
    value, error = expectation_from_groups(observable, groups, probabilities, SHOTS)
    reference = Statevector(base).expectation_value(sparse_pauli_op(observable)).real
    assert value == pytest.approx(reference, abs=1e-9)  # the grouping itself is exact
    return value, error


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=random_case())
def test_sampled_expectation_within_five_standard_errors(aer, qiskit_toolkit, case):
    source, observable, seed = case
    kwargs = {"shots": SHOTS, "observables": observable, "options": {"seed_simulator": seed}}
    spec = make_spec(qiskit_toolkit, [source], "aer_simulator", **kwargs)
    outputs = run_outputs(aer, qiskit_toolkit, [source], run_type=RunType.RUN, **kwargs)
    (([sampled],), ([reported_error],)) = assemble(spec.plan, outputs)
    exact, error = _exact_value_and_error(source, observable, spec)
    # One outcome's worth of slack: near-eigenstates flip a shot so rarely that a single flip
    # can exceed 5σ of a vanishing σ.
    resolution = 2 * sum(abs(c) for c in observable[1]) / SHOTS
    assert abs(sampled - exact) <= 5 * error + resolution, (sampled, exact, error)
    assert reported_error <= 2 * error + resolution  # the reported spread is the right size
