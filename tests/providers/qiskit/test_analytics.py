"""Circuit analytics: the counting rules documented in qdispatch_qiskit.analytics."""

from __future__ import annotations

from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from qdispatch_qiskit import QiskitToolkit, circuit_analytics
from tests.samples import BELL_NO_MEASURE, BELL_QASM2, ghz


def test_bell_with_measurements():
    a = QiskitToolkit().inspect(BELL_QASM2).analytics
    assert (a.qubits, a.clbits, a.num_parameters, a.parameter_names) == (2, 2, 0, ())
    assert (a.depth, a.depth_2q, a.gates_1q, a.gates_2q, a.gates_total) == (3, 1, 1, 1, 2)
    assert a.operations == {"h": 1, "cx": 1, "measure": 2}
    assert a.has_measurements


def test_without_measurements():
    a = QiskitToolkit().inspect(BELL_NO_MEASURE).analytics
    assert a.clbits == 0 and not a.has_measurements and "measure" not in a.operations


def test_ghz_depths_grow_with_the_chain():
    a = QiskitToolkit().inspect(ghz(5)).analytics
    assert a.depth == 6 and a.depth_2q == 4 and a.gates_2q == 4 and a.gates_1q == 1


def test_barriers_and_measurements_are_operations_not_gates():
    qc = QuantumCircuit(3, 3)
    theta = Parameter("theta")
    qc.h(0)
    qc.cx(0, 1)
    qc.rz(theta, 1)
    qc.cx(1, 2)
    qc.barrier()
    qc.ccx(0, 1, 2)
    qc.reset(2)
    qc.measure([0, 1, 2], [0, 1, 2])
    a = circuit_analytics(qc)
    assert a.gates_1q == 2  # h, rz
    assert a.gates_2q == 3  # cx, cx, ccx: every gate on two or more qubits
    assert a.gates_total == 5
    assert a.operations == {
        "h": 1,
        "cx": 2,
        "rz": 1,
        "barrier": 1,
        "ccx": 1,
        "reset": 1,
        "measure": 3,
    }
    # The 3-qubit barrier does not count as a multi-qubit layer: cx, cx, ccx.
    assert a.depth_2q == 3
    assert a.depth == qc.depth()
    assert a.parameter_names == ("theta",) and a.num_parameters == 1


def test_control_flow_bodies_are_counted():
    qc = QuantumCircuit(2, 1)
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], 1)):
        qc.x(1)
        qc.measure(1, 0)
    a = circuit_analytics(qc)
    assert a.operations["x"] == 1 and a.operations["if_else"] == 1
    assert a.operations["measure"] == 2
    assert a.gates_1q == 2 and a.has_measurements


def test_parameter_names_follow_qiskit_sorting():
    qc = QuantumCircuit(1)
    for name in ("theta2", "theta10", "Theta1", "a"):
        qc.rx(Parameter(name), 0)
    assert circuit_analytics(qc).parameter_names == ("Theta1", "a", "theta10", "theta2")
