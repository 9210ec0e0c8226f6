"""Known physics through the whole route (Qiskit → OpenQASM 2 → cirq → IonQ JSON → a local
IonQ that simulates what it receives → counts), with bounds a wrong route cannot meet."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import Statevector

from qdispatch_core.ports.backend import JobSpec
from qdispatch_core.rules.plan import assemble
from qdispatch_ionq.outputs import marginal
from qdispatch_ionq.programs import Compiler
from qdispatch_ionq.settings import RunSettings
from qdispatch_qiskit import parse_qasm, to_qasm3
from tests.contract.backend_contract import make_spec
from tests.providers.aer.stats import within_binomial
from tests.providers.ionq.conftest import run_job, run_outputs
from tests.providers.ionq.fake_ionq import exact_probabilities, histogram, read_circuit
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, BELL_QASM3, PARAM_2Q, X_ON_QUBIT0_OF_3, ghz

DEVICES = ["ionq_simulator", "ionq_qpu_forte_1"]
HEAD2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'


@pytest.mark.parametrize("device_id", DEVICES)
@pytest.mark.parametrize("source", [BELL_QASM2, BELL_QASM3])
def test_bell_counts_only_00_and_11_each_near_half(ionq, qiskit_toolkit, device_id, source):
    shots = 4000
    (counts,) = run_outputs(ionq, qiskit_toolkit, [source], device_id, shots=shots)
    assert set(counts) == {"00", "11"} and sum(counts.values()) == shots
    assert within_binomial(counts["00"], shots, 0.5), counts


@pytest.mark.parametrize("device_id", DEVICES)
def test_x_on_qubit_0_of_3_reads_001(ionq, qiskit_toolkit, device_id):
    (counts,) = run_outputs(ionq, qiskit_toolkit, [X_ON_QUBIT0_OF_3], device_id, shots=50)
    assert counts == {"001": 50}  # Qiskit order: the rightmost character is bit 0


@pytest.mark.parametrize(
    "source, expected",
    [
        # qubit 2 measured into bit 0, qubit 0 into bit 1; bit 2 is never written
        (
            HEAD2
            + "qreg q[3];\ncreg c[3];\nx q[2];\nmeasure q[2] -> c[0];\nmeasure q[0] -> c[1];\n",
            "001",
        ),
        # two registers: one string, the second register's bits to the left
        (
            HEAD2 + "qreg q[2];\ncreg a[1];\ncreg b[1];\nx q[1];\nmeasure q[0] -> a[0];\n"
            "measure q[1] -> b[0];\n",
            "10",
        ),
        # two quantum registers become one line of qubits, in declaration order
        (
            HEAD2 + "qreg a[1];\nqreg b[2];\ncreg c[3];\nx b[1];\nmeasure a[0] -> c[0];\n"
            "measure b[0] -> c[1];\nmeasure b[1] -> c[2];\n",
            "100",
        ),
        # the highest qubit has no gate at all but is measured
        (HEAD2 + "qreg q[4];\ncreg c[4];\nx q[1];\nmeasure q -> c;\n", "0010"),
        # nothing but measurements
        (HEAD2 + "qreg q[2];\ncreg c[2];\nmeasure q -> c;\n", "00"),
    ],
)
def test_measurements_map_qubits_to_the_bits_they_were_measured_into(
    ionq, qiskit_toolkit, source, expected
):
    (counts,) = run_outputs(ionq, qiskit_toolkit, [source], shots=20)
    assert counts == {expected: 20}


def test_trailing_swaps_dropped_by_the_transpiler_still_measure_the_right_qubits(
    ionq, qiskit_toolkit
):
    source = HEAD2 + "qreg q[3];\ncreg c[3];\nx q[0];\nswap q[0], q[2];\nmeasure q -> c;\n"
    for level in (0, 1, 2, 3):
        (counts,) = run_outputs(
            ionq, qiskit_toolkit, [source], shots=10, options={"optimization_level": level}
        )
        assert counts == {"100": 10}, level


def test_expectation_values_from_measurement_groups(ionq, qiskit_toolkit):
    observables = [["ZZ", "XX", "YY", "IZ"], [1.0, 1.0, 1.0, 0.5]]
    spec = make_spec(
        qiskit_toolkit, [BELL_NO_MEASURE], "ionq_simulator", shots=2000, observables=observables
    )
    ids, execution = run_job(
        ionq, qiskit_toolkit, [BELL_NO_MEASURE], shots=2000, observables=observables
    )
    values, errors = assemble(spec.plan, execution.outputs)
    # <ZZ> + <XX> + <YY> + 0.5<IZ> = 1 + 1 - 1 + 0 on the Bell state; the signs are exact
    assert abs(values[0][0] - 1.0) < 5 * errors[0][0] + 1e-9
    assert len(ids) == 1  # all measurement groups went in one multi-circuit job


def test_a_parameter_sweep_binds_each_set(ionq, qiskit_toolkit):
    sets = [[0.0, 0.0], [np.pi, 0.0], [0.0, np.pi], [np.pi, np.pi]]
    outputs = run_outputs(ionq, qiskit_toolkit, [PARAM_2Q], shots=30, parameters=sets)
    # sets bind (phi, theta): names sort as strings. rx(theta) q0; ry(phi) q1; cx q0 -> q1
    assert outputs == [{"00": 30}, {"10": 30}, {"11": 30}, {"01": 30}]


def test_seeded_sampling_repeats_and_different_seeds_differ(ionq, qiskit_toolkit):
    def sample(seed):
        return run_outputs(
            ionq, qiskit_toolkit, [ghz(3)], shots=500, options={"seed_simulator": seed}
        )

    assert sample(3) == sample(3)
    assert sample(3) != sample(4)


def test_unseeded_sampling_is_fixed_by_the_ionq_job_id(ionq, qiskit_toolkit, credentials):
    spec = make_spec(qiskit_toolkit, [ghz(3)], "ionq_simulator", shots=500)
    device = ionq.get_device("ionq_simulator")
    ids, execution = run_job(ionq, qiskit_toolkit, [ghz(3)], shots=500)
    again = ionq.fetch(device, spec, ids, credentials)  # a re-fetch after a restart
    assert again.outputs == execution.outputs
    assert any("sampled 500 shots" in n for n in execution.notes)


def _received_distribution(spec: JobSpec, settings: RunSettings) -> dict[str, float]:
    """The distribution IonQ would compute for what it receives, read through the program's
    output-bit map as the backend reads IonQ's answer."""
    import cirq_ionq

    program = Compiler().program(spec, spec.plan.executables[0], settings)
    sent = cirq_ionq.Serializer().serialize_single_circuit(program.circuit).input
    p = exact_probabilities(read_circuit(sent["circuit"]), int(sent["qubits"]))
    return marginal(histogram(p), program.sources)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("level", [1, 3])
def test_random_circuits_reach_ionq_unchanged(qiskit_toolkit, seed, level):
    """What IonQ receives has the distribution of the circuit as written, bit for bit (level 3
    relabels qubits instead of routing trailing swaps; the bit map must follow)."""
    circuit = random_circuit(4, 6, max_operands=3, seed=seed, measure=False)
    expected = Statevector(circuit).probabilities_dict()  # Qiskit order, as results are
    measured = parse_qasm(to_qasm3(circuit)).copy()
    measured.measure_all()
    spec = make_spec(qiskit_toolkit, [to_qasm3(measured)], "ionq_simulator", shots=10)
    got = _received_distribution(spec, RunSettings(optimization_level=level))
    for bits in set(expected) | set(got):
        assert abs(got.get(bits, 0.0) - expected.get(bits, 0.0)) < 1e-9, bits
