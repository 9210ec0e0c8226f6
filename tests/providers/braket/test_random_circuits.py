"""Random small circuits: Braket's local simulators agree with Qiskit Aer.

Counts are compared outcome by outcome: the difference of two independent estimates of the
same probability stays within 5 standard errors (plus one shot's worth of slack). State
vectors must agree exactly, global phase included.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qiskit import transpile
from qiskit_aer import AerSimulator

from qdispatch_core.domain import RunType
from qdispatch_qiskit import parse_qasm
from tests.providers.braket.conftest import run_outputs

SHOTS = 2000
ONE_QUBIT = ["h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx", "sxdg", "id"]
ROTATIONS = ["rx", "ry", "rz", "p", "u1"]
TWO_QUBIT = ["cx", "cy", "cz", "swap", "ch"]
TWO_QUBIT_ROTATIONS = ["crx", "cry", "crz", "cp", "rxx", "rzz"]
HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[{n}];\ncreg c[{n}];\n'


def _angle(draw) -> str:
    return f"{draw(st.floats(-math.pi, math.pi, allow_nan=False)):.10f}"


@st.composite
def gate_line(draw, n: int) -> str:
    kinds = ["one", "rotation", "u3"] + (["two", "two_rotation"] if n > 1 else [])
    kinds += ["three"] if n > 2 else []
    kind = draw(st.sampled_from(kinds))
    qubits = draw(st.permutations(range(n)))
    if kind == "one":
        return f"{draw(st.sampled_from(ONE_QUBIT))} q[{qubits[0]}];"
    if kind == "rotation":
        return f"{draw(st.sampled_from(ROTATIONS))}({_angle(draw)}) q[{qubits[0]}];"
    if kind == "u3":
        return f"u3({_angle(draw)}, {_angle(draw)}, {_angle(draw)}) q[{qubits[0]}];"
    a, b = qubits[0], qubits[1]
    if kind == "two":
        return f"{draw(st.sampled_from(TWO_QUBIT))} q[{a}], q[{b}];"
    if kind == "two_rotation":
        return f"{draw(st.sampled_from(TWO_QUBIT_ROTATIONS))}({_angle(draw)}) q[{a}], q[{b}];"
    gate = draw(st.sampled_from(["ccx", "cswap"]))
    return f"{gate} q[{a}], q[{b}], q[{qubits[2]}];"


@st.composite
def random_circuit(draw, measure: bool = True) -> str:
    n = draw(st.integers(1, 4))
    lines = draw(st.lists(gate_line(n), min_size=1, max_size=12))
    # a partial, permuted measurement: clbits need not follow qubits
    source = HEADER.format(n=n) + "\n".join(lines) + "\n"
    if measure:
        targets = draw(st.permutations(range(n)))
        source += "".join(f"measure q[{q}] -> c[{c}];\n" for c, q in enumerate(targets))
    return source


_aer = AerSimulator(method="statevector")


def _aer_counts(source: str, seed: int) -> dict[str, int]:
    circuit = transpile(parse_qasm(source), _aer, optimization_level=0)
    return _aer.run(circuit, shots=SHOTS, seed_simulator=seed).result().get_counts()


def _agree(a: dict[str, int], b: dict[str, int]) -> bool:
    for outcome in set(a) | set(b):
        pa, pb = a.get(outcome, 0) / SHOTS, b.get(outcome, 0) / SHOTS
        pooled = (pa + pb) / 2
        sigma = math.sqrt(max(pooled * (1 - pooled), 0.0) * 2 / SHOTS)
        if abs(pa - pb) > 5 * sigma + 1 / SHOTS:
            return False
    return True


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(source=random_circuit(), seed=st.integers(0, 2**31 - 1), level=st.integers(0, 3))
def test_counts_agree_with_aer(braket, qiskit_toolkit, source, seed, level):
    (counts,) = run_outputs(
        braket, qiskit_toolkit, [source], shots=SHOTS, options={"optimization_level": level}
    )
    assert sum(counts.values()) == SHOTS
    aer = _aer_counts(source, seed)
    assert _agree(counts, aer), (counts, aer)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(source=random_circuit(measure=False), level=st.integers(0, 3))
def test_statevectors_equal_aers(braket, qiskit_toolkit, source, level):
    ((real, imag),) = run_outputs(
        braket,
        qiskit_toolkit,
        [source],
        run_type=RunType.STATEVECTOR,
        options={"optimization_level": level},
    )
    circuit = transpile(parse_qasm(source), _aer, optimization_level=0)
    circuit.save_statevector()
    expected = np.asarray(_aer.run(circuit).result().get_statevector())
    np.testing.assert_allclose(np.array(real) + 1j * np.array(imag), expected, atol=1e-9)
