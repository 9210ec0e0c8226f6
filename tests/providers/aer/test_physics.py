"""Known physics, seeded, with statistical tolerances a wrong simulator cannot meet."""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit.quantum_info import Statevector

from qdispatch_core.domain import RunType
from qdispatch_core.rules.plan import assemble
from qdispatch_qiskit import parse_qasm
from tests.contract.backend_contract import make_spec
from tests.providers.aer.conftest import run_outputs
from tests.providers.aer.stats import within_binomial
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, BELL_QASM3, X_ON_QUBIT0_OF_3, ghz

DEVICES = ["aer_simulator", "aer_simulator_mps"]
R = 1 / math.sqrt(2)


@pytest.mark.parametrize("device_id", DEVICES)
@pytest.mark.parametrize("source", [BELL_QASM2, BELL_QASM3])
def test_bell_counts_only_00_and_11_each_near_half(aer, qiskit_toolkit, device_id, source):
    shots = 4000
    (counts,) = run_outputs(
        aer, qiskit_toolkit, [source], device_id, shots=shots, options={"seed_simulator": 11}
    )
    assert set(counts) == {"00", "11"}
    assert sum(counts.values()) == shots
    assert within_binomial(counts["00"], shots, 0.5), counts


@pytest.mark.parametrize("device_id", DEVICES)
def test_x_on_qubit_0_of_3_reads_001(aer, qiskit_toolkit, device_id):
    (counts,) = run_outputs(aer, qiskit_toolkit, [X_ON_QUBIT0_OF_3], device_id, shots=50)
    assert counts == {"001": 50}  # Qiskit order: the rightmost character is bit 0


def test_seeded_runs_repeat_and_different_seeds_differ(aer, qiskit_toolkit):
    def sample(seed):
        return run_outputs(
            aer, qiskit_toolkit, [BELL_QASM2], shots=500, options={"seed_simulator": seed}
        )

    assert sample(3) == sample(3)
    assert sample(3) != sample(4)


def _state(outputs):
    ((real, imag),) = outputs
    return np.array(real) + 1j * np.array(imag)


HEAD = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'


@pytest.mark.parametrize("device_id", DEVICES)
@pytest.mark.parametrize(
    "source, expected",
    [
        (BELL_NO_MEASURE, [R, 0, 0, R]),
        (BELL_QASM2, [R, 0, 0, R]),  # final measurements are dropped
        (X_ON_QUBIT0_OF_3, [0, 1, 0, 0, 0, 0, 0, 0]),  # index bit 0 is qubit 0
        (HEAD + "qubit[1] q;\nh q[0];\ns q[0];\n", [R, 1j * R]),
        (HEAD + "qubit[2] q;\nx q[1];\nh q[0];\nz q[0];\n", [0, 0, R, -R]),
        (ghz(3, measure=False), [R, 0, 0, 0, 0, 0, 0, R]),
        (
            HEAD + "qubit[1] q;\nrx(pi/3) q[0];\n",
            [math.cos(math.pi / 6), -1j * math.sin(math.pi / 6)],
        ),
    ],
)
def test_statevectors_equal_the_analytic_ones(aer, qiskit_toolkit, device_id, source, expected):
    outputs = run_outputs(aer, qiskit_toolkit, [source], device_id, run_type=RunType.STATEVECTOR)
    np.testing.assert_allclose(_state(outputs), np.array(expected, dtype=complex), atol=1e-12)


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_statevectors_undo_the_transpilers_qubit_permutation(aer, qiskit_toolkit, level):
    # Levels 2 and 3 turn the trailing swaps into a relabelling of the output qubits.
    source = HEAD + "qubit[3] q;\nx q[0];\nh q[1];\nswap q[0], q[2];\nswap q[1], q[0];\n"
    outputs = run_outputs(
        aer,
        qiskit_toolkit,
        [source],
        run_type=RunType.STATEVECTOR,
        options={"optimization_level": level},
    )
    expected = Statevector(parse_qasm(source)).data
    np.testing.assert_allclose(_state(outputs), expected, atol=1e-12)


def _assembled(aer, toolkit, source, observables, run_type, device_id="aer_simulator", **kw):
    spec = make_spec(toolkit, [source], device_id, observables=observables, run_type=run_type, **kw)
    outputs = run_outputs(
        aer, toolkit, [source], device_id, observables=observables, run_type=run_type, **kw
    )
    return assemble(spec.plan, outputs)


BELL_OBSERVABLES = [[["ZZ"], [1.0]], [["XX"], [1.0]], [["YY"], [1.0]]]


@pytest.mark.parametrize("device_id", DEVICES)
def test_bell_expectations_are_exact_with_statevector_run(aer, qiskit_toolkit, device_id):
    values, errors = _assembled(
        aer, qiskit_toolkit, BELL_NO_MEASURE, BELL_OBSERVABLES, RunType.STATEVECTOR, device_id
    )
    assert values == [
        [
            pytest.approx(1.0, abs=1e-12),
            pytest.approx(1.0, abs=1e-12),
            pytest.approx(-1.0, abs=1e-12),
        ]
    ]
    assert errors == [[0.0, 0.0, 0.0]]


def test_bell_expectations_sampled_are_exact_too(aer, qiskit_toolkit):
    # The Bell state is an eigenstate of ZZ, XX and YY: every shot gives the same eigenvalue,
    # so only a wrong basis rotation or bit order could move the estimate off ±1.
    values, errors = _assembled(
        aer, qiskit_toolkit, BELL_NO_MEASURE, BELL_OBSERVABLES, RunType.RUN, shots=300
    )
    assert values == [[1.0, 1.0, -1.0]]
    assert errors == [[0.0, 0.0, 0.0]]


@pytest.mark.parametrize("level", [1, 3])
def test_measurement_groups_follow_the_transpilers_permutation(aer, qiskit_toolkit, level):
    # |psi> = X on qubit 2, |+> on qubit 0 after the swaps: <Z2> = -1, <X0> = +1, <Z1> = +1.
    source = HEAD + "qubit[3] q;\nx q[0];\nh q[1];\nswap q[0], q[2];\nswap q[1], q[0];\n"
    observables = [[["ZII"], [1.0]], [["IIX"], [1.0]], [["IZI"], [1.0]]]
    values, _ = _assembled(
        aer,
        qiskit_toolkit,
        source,
        observables,
        RunType.RUN,
        shots=200,
        options={"optimization_level": level},
    )
    assert values == [[-1.0, 1.0, 1.0]]


def test_wide_ghz_on_matrix_product_states(aer, qiskit_toolkit):
    n = 40
    (counts,) = run_outputs(
        aer, qiskit_toolkit, [ghz(n)], "aer_simulator_mps", shots=400, options={"seed_simulator": 5}
    )
    assert set(counts) == {"0" * n, "1" * n}
    assert within_binomial(counts["0" * n], 400, 0.5)
    values, _ = _assembled(
        aer,
        qiskit_toolkit,
        ghz(n, measure=False),
        [[["Z" * n], [1.0]], [["X" * n], [1.0]], [["Z" + "I" * (n - 1)], [1.0]]],
        RunType.STATEVECTOR,
        "aer_simulator_mps",
    )
    assert values == [[pytest.approx(1.0), pytest.approx(1.0), pytest.approx(0.0, abs=1e-12)]]


def test_counts_of_several_registers_are_one_string_in_clbit_order(aer, qiskit_toolkit):
    source = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg a[1];
creg b[2];
x q[0];
x q[2];
measure q[0] -> a[0];
measure q[1] -> b[0];
measure q[2] -> b[1];
"""
    (counts,) = run_outputs(aer, qiskit_toolkit, [source], shots=20)
    assert counts == {"101": 20}  # b[1] b[0] a[0]: clbit 0 (a[0]) rightmost


def test_observables_ignore_mid_circuit_measurement_bits(aer, qiskit_toolkit):
    # c[0] always reads 1, while qubit 0 ends in |0>: only the basis register may count.
    source = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
creg c[2];
x q[0];
measure q[0] -> c[0];
x q[0];
x q[1];
"""
    values, _ = _assembled(
        aer, qiskit_toolkit, source, [[["IZ"], [1.0]], [["ZI"], [1.0]]], RunType.RUN, shots=100
    )
    assert values == [[1.0, -1.0]]
