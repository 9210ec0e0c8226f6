"""Known physics on both local simulators, in the contract's bit order (the same as Aer's)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit.quantum_info import Statevector

from qdispatch_core.domain import RunType
from qdispatch_core.rules.plan import assemble
from qdispatch_qiskit import parse_qasm
from tests.contract.backend_contract import make_spec
from tests.providers.aer.stats import within_binomial
from tests.providers.braket.conftest import LOCAL_DEVICES, run_outputs
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, BELL_QASM3, PARAM_2Q, X_ON_QUBIT0_OF_3, ghz

R = 1 / math.sqrt(2)
HEAD = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'


@pytest.mark.parametrize("device_id", LOCAL_DEVICES)
@pytest.mark.parametrize("source", [BELL_QASM2, BELL_QASM3])
def test_bell_counts_only_00_and_11_each_near_half(braket, qiskit_toolkit, device_id, source):
    shots = 4000
    (counts,) = run_outputs(braket, qiskit_toolkit, [source], device_id, shots=shots)
    assert set(counts) == {"00", "11"} and sum(counts.values()) == shots
    assert within_binomial(counts["00"], shots, 0.5), counts


@pytest.mark.parametrize("device_id", LOCAL_DEVICES)
def test_x_on_qubit_0_of_3_reads_001_as_on_aer(braket, qiskit_toolkit, device_id):
    (counts,) = run_outputs(braket, qiskit_toolkit, [X_ON_QUBIT0_OF_3], device_id, shots=50)
    assert counts == {"001": 50}  # Qiskit order: the rightmost character is bit 0


@pytest.mark.parametrize("device_id", LOCAL_DEVICES)
def test_classical_bits_follow_the_measurements_not_the_qubits(braket, qiskit_toolkit, device_id):
    source = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg a[1];
creg b[3];
x q[0];
x q[2];
measure q[0] -> b[2];
measure q[1] -> a[0];
measure q[2] -> b[0];
"""
    # clbits: a[0]=q1=0 (bit 0), b[0]=q2=1 (bit 1), b[1] never measured (bit 2), b[2]=q0=1
    (counts,) = run_outputs(braket, qiskit_toolkit, [source], device_id, shots=20)
    assert counts == {"1010": 20}


def test_parameter_sets_bind_by_name(braket, qiskit_toolkit):
    sets = [[0.0, 0.0], [math.pi, 0.0], [0.0, math.pi], [math.pi, math.pi]]
    outputs = run_outputs(braket, qiskit_toolkit, [PARAM_2Q], parameters=sets, shots=50)
    # (phi, theta): ry(phi) on qubit 1, rx(theta) on qubit 0, then CNOT 0 -> 1
    assert outputs == [{"00": 50}, {"10": 50}, {"11": 50}, {"01": 50}]


def _state(output):
    real, imag = output
    return np.array(real) + 1j * np.array(imag)


@pytest.mark.parametrize(
    "source",
    [
        BELL_NO_MEASURE,
        BELL_QASM2,  # final measurements are dropped
        X_ON_QUBIT0_OF_3,  # idle qubits stay in the state
        HEAD + "qubit[1] q;\nh q[0];\ns q[0];\n",
        HEAD + "qubit[2] q;\nx q[1];\nh q[0];\nz q[0];\n",
        ghz(3, measure=False),
        HEAD + "qubit[1] q;\nrx(pi/3) q[0];\n",
        HEAD + "qubit[2] q;\nU(0.3, 0.2, 0.1) q[1];\nu3(0.1, 0.5, 0.2) q[0];\n"
        "cp(0.7) q[1], q[0];\nsx q[0];\n",
    ],
)
@pytest.mark.parametrize("level", [0, 3])
def test_statevectors_equal_qiskits_including_the_global_phase(
    braket, qiskit_toolkit, source, level
):
    (output,) = run_outputs(
        braket,
        qiskit_toolkit,
        [source],
        run_type=RunType.STATEVECTOR,
        options={"optimization_level": level},
    )
    circuit = parse_qasm(source).remove_final_measurements(inplace=False)
    np.testing.assert_allclose(_state(output), Statevector(circuit).data, atol=1e-9)


def test_statevectors_undo_the_transpilers_qubit_permutation(braket, qiskit_toolkit):
    source = HEAD + "qubit[3] q;\nx q[0];\nh q[1];\nswap q[0], q[2];\nswap q[1], q[0];\n"
    (output,) = run_outputs(
        braket,
        qiskit_toolkit,
        [source],
        run_type=RunType.STATEVECTOR,
        options={"optimization_level": 3},
    )
    np.testing.assert_allclose(_state(output), Statevector(parse_qasm(source)).data, atol=1e-12)


def _assembled(braket, toolkit, source, observables, run_type, device_id="braket_local_sv", **kw):
    spec = make_spec(toolkit, [source], device_id, observables=observables, run_type=run_type, **kw)
    outputs = run_outputs(
        braket, toolkit, [source], device_id, observables=observables, run_type=run_type, **kw
    )
    return assemble(spec.plan, outputs)


BELL_OBSERVABLES = [[["ZZ"], [1.0]], [["XX"], [1.0]], [["YY"], [1.0]], [["ZI", "II"], [2.0, 0.5]]]


def test_bell_expectations_are_exact_with_statevector_run(braket, qiskit_toolkit):
    values, errors = _assembled(
        braket, qiskit_toolkit, BELL_NO_MEASURE, BELL_OBSERVABLES, RunType.STATEVECTOR
    )
    assert values == [[pytest.approx(v, abs=1e-12) for v in (1.0, 1.0, -1.0, 0.5)]]
    assert errors == [[0.0, 0.0, 0.0, 0.0]]


@pytest.mark.parametrize("device_id", LOCAL_DEVICES)
def test_bell_expectations_sampled_are_exact_too(braket, qiskit_toolkit, device_id):
    # The Bell state is an eigenstate of ZZ, XX and YY: only a wrong basis rotation or bit
    # order could move the estimate off ±1.
    values, _ = _assembled(
        braket,
        qiskit_toolkit,
        BELL_NO_MEASURE,
        BELL_OBSERVABLES[:3],
        RunType.RUN,
        device_id,
        shots=300,
    )
    assert values == [[1.0, 1.0, -1.0]]


@pytest.mark.parametrize("level", [1, 3])
def test_measurement_groups_follow_the_transpilers_permutation(braket, qiskit_toolkit, level):
    # |psi> = X on qubit 2, |+> on qubit 0 after the swaps: <Z2> = -1, <X0> = +1, <Z1> = +1.
    source = HEAD + "qubit[3] q;\nx q[0];\nh q[1];\nswap q[0], q[2];\nswap q[1], q[0];\n"
    observables = [[["ZII"], [1.0]], [["IIX"], [1.0]], [["IZI"], [1.0]]]
    sampled, _ = _assembled(
        braket,
        qiskit_toolkit,
        source,
        observables,
        RunType.RUN,
        shots=200,
        options={"optimization_level": level},
    )
    exact, _ = _assembled(
        braket,
        qiskit_toolkit,
        source,
        observables,
        RunType.STATEVECTOR,
        options={"optimization_level": level},
    )
    assert sampled == [[-1.0, 1.0, 1.0]]
    assert exact == [[pytest.approx(v, abs=1e-12) for v in (-1.0, 1.0, 1.0)]]
