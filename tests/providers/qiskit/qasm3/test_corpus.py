"""Each program of `programs/` lowers to a circuit equivalent to one written by hand.

Unitary programs are compared as operators (exactly, global phase included); programs that
measure are compared without their final measurements and by their measured bits; programs
with feed-forward are compared instruction by instruction with Qiskit's own control flow.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit.classical import expr, types
from qiskit.quantum_info import Operator

from qdispatch_core.rules.limits import CircuitLimits
from qdispatch_qiskit.parsing import parse_qasm_checked

PROGRAMS = Path(__file__).parent / "programs"


def lowered(name: str) -> QuantumCircuit:
    return parse_qasm_checked((PROGRAMS / f"{name}.qasm").read_text(), CircuitLimits()).circuit


def ghz_for_const() -> QuantumCircuit:
    qc = QuantumCircuit(5)
    qc.h(0)
    for i in range(4):
        qc.cx(i, i + 1)
    return qc


def loops_sets_steps() -> QuantumCircuit:
    qc = QuantumCircuit(4)
    for i in (0, 2, 3):
        qc.h(i)
    for i in (3, 1):
        qc.rz(0.1 * (i + 1), i)
    for i in range(4):
        qc.cx(i, (i + 1) % 4)
    return qc


def def_in_for() -> QuantumCircuit:
    qc = QuantumCircuit(4)
    for layer in (1, 2):
        for i in range(3):
            qc.ry(math.pi / (layer * (i + 1)), i)
            qc.cz(i, i + 1)
    return qc


def classical_types() -> QuantumCircuit:
    qc = QuantumCircuit(3)
    qc.x(0)  # 13 > 10 and -3 < 0
    qc.rz(13 * 2.5 / 10, 1)
    qc.h(2)  # bit 2 of 0b1101
    angle16 = math.pi / 4  # exactly representable modulo 2π
    qc.rx(angle16 * 2, 0)
    qc.ry(1 * math.pi / 3, 1)  # uint[3] 7 + 2 wraps to 1
    qc.rz(-8 / 4.0, 2)  # int[4] 7 + 1 wraps to -8
    qc.cx(0, 2)  # int(3.9) is 3, popcount(0b1101) is 3
    return qc


def def_returns() -> QuantumCircuit:
    qc = QuantumCircuit(QuantumRegister(2, "q"), ClassicalRegister(2, "c"))
    qc.rx(0.6, 0)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure(0, 0)
    qc.measure(1, 1)
    return qc


def output_bits() -> QuantumCircuit:
    qc = QuantumCircuit(QuantumRegister(2, "q"), ClassicalRegister(2, "result"))
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    return qc


def while_known() -> QuantumCircuit:
    qc = QuantumCircuit(4)
    for k in (1, 3, 4):  # k == 2 continues; k == 5 breaks
        qc.h(k - 1)
    return qc


def recursion() -> QuantumCircuit:
    qc = QuantumCircuit(4)
    qc.h(0)
    for depth in (3, 2, 1):
        qc.cx(depth - 1, depth)
    return qc


def gate_loop_switch_alias() -> QuantumCircuit:
    qc = QuantumCircuit(3)
    qc.h([0, 1])
    for _ in range(3):
        qc.rz(0.9 / 3, 2)
    qc.cx(0, 2)
    return qc


UNITARY: dict[str, Callable[[], QuantumCircuit]] = {
    "ghz_for_const": ghz_for_const,
    "loops_sets_steps": loops_sets_steps,
    "def_in_for": def_in_for,
    "classical_types": classical_types,
    "while_known": while_known,
    "recursion": recursion,
    "gate_loop_switch_alias": gate_loop_switch_alias,
}


@pytest.mark.parametrize("name", sorted(UNITARY))
def test_lowered_programs_have_the_hand_written_unitary(name):
    circuit = lowered(name).remove_final_measurements(inplace=False)
    assert Operator(circuit) == Operator(UNITARY[name]())


@pytest.mark.parametrize(
    "name, expected", [("def_returns", def_returns), ("output_bits", output_bits)]
)
def test_measured_programs_measure_the_same_bits(name, expected):
    circuit, reference = lowered(name), expected()
    assert [r.name for r in circuit.cregs] == [r.name for r in reference.cregs]
    assert Operator(circuit.remove_final_measurements(inplace=False)) == Operator(
        reference.remove_final_measurements(inplace=False)
    )
    measured = [
        (circuit.find_bit(i.qubits[0]).index, circuit.find_bit(i.clbits[0]).index)
        for i in circuit.data
        if i.operation.name == "measure"
    ]
    assert measured == [(0, 0), (1, 1)]


def test_inputs_stay_parameters_in_qiskits_order():
    circuit = lowered("input_parameters")
    assert [p.name for p in circuit.parameters] == ["phi", "theta"]
    theta, phi = 0.7, 1.9
    bound = circuit.assign_parameters({"theta": theta, "phi": phi})
    reference = QuantumCircuit(2)
    reference.rx(2 * theta, 0)
    reference.rz(phi - theta / 2, 1)
    reference.cx(0, 1)
    assert Operator(bound) == Operator(reference)


def test_feed_forward_stays_control_flow_on_the_measured_bits():
    circuit = lowered("feed_forward")
    q = QuantumRegister(3, "q")
    c0 = ClassicalRegister(1, "c0")  # compared by bits below: a single `bit` has no register
    c = ClassicalRegister(2, "c")
    reference = QuantumCircuit(q, c0, c)
    reference.h(q[0])
    reference.measure(q[0], c0[0])
    with reference.if_test(expr.equal(c0[0], True)):
        reference.x(q[1])
    reference.measure(q[1], c[0])
    with reference.if_test((c, 1)):
        reference.z(q[2])
    with reference.if_test(expr.not_equal(c, 0)) as otherwise:
        reference.h(q[2])
    with otherwise:
        reference.s(q[2])
    names = [i.operation.name for i in circuit.data]
    assert names == [i.operation.name for i in reference.data]
    conditions = [i.operation.condition for i in circuit.data if i.operation.name == "if_else"]
    assert isinstance(conditions[0], expr.Expr) and conditions[0].type.kind is types.Bool
    assert conditions[1][1] == 1 and [circuit.find_bit(b).index for b in conditions[1][0]] == [1, 2]
    assert conditions[2].op is expr.Binary.Op.NOT_EQUAL and conditions[2].left.var.name == "c"
    blocks = [i.operation.blocks for i in circuit.data if i.operation.name == "if_else"]
    assert [len(b) for b in blocks] == [1, 1, 2]
    assert [[op.operation.name for op in block] for block in blocks[2]] == [["h"], ["s"]]


def test_standard_gates_without_an_include_read_as_amazon_braket_writes_them():
    # Amazon Braket's examples call standard gates with no include (its simulators know them)
    source = "OPENQASM 3;\nqubit[2] q;\nh q[0];\nctrl @ x q[0], q[1];\n"
    circuit = parse_qasm_checked(source, CircuitLimits()).circuit
    reference = QuantumCircuit(2)
    reference.h(0)
    reference.cx(0, 1)
    assert Operator(circuit) == Operator(reference)


def test_braket_gate_names_without_an_include_read_as_the_standard_gates_they_are():
    # Amazon Braket's own names (its simulators and examples use them): cnot, v, vi, i, si, …
    source = (
        "OPENQASM 3;\nqubit[3] q;\nh q[0];\ncnot q[0], q[1];\nccnot q[0], q[1], q[2];\n"
        "v q[0];\nvi q[1];\nsi q[2];\nti q[0];\nphaseshift(0.3) q[1];\n"
        "cphaseshift(0.7) q[1], q[2];\nfor int i in [0:2] { i q[i]; }\n"
    )
    circuit = parse_qasm_checked(source, CircuitLimits()).circuit
    reference = QuantumCircuit(3)
    reference.h(0)
    reference.cx(0, 1)
    reference.ccx(0, 1, 2)
    reference.sx(0)
    reference.sxdg(1)
    reference.sdg(2)
    reference.tdg(0)
    reference.p(0.3, 1)
    reference.cp(0.7, 1, 2)
    assert Operator(circuit) == Operator(reference)
    # the standard gates themselves, not definitions of new ones (Qiskit reads `id` as a u)
    assert {"cx", "ccx", "sx", "sxdg", "sdg", "tdg", "p", "cp"} <= set(circuit.count_ops())


def test_a_program_that_defines_a_braket_name_keeps_its_own_gate():
    source = "OPENQASM 3;\ngate v a { U(pi, 0, pi) a; }\nqubit q;\nv q;\n"
    circuit = parse_qasm_checked(source, CircuitLimits()).circuit
    reference = QuantumCircuit(1)
    reference.x(0)
    assert Operator(circuit) == Operator(reference)


def test_braket_result_pragmas_are_skipped():
    # what to return is decided by run_type and observables; the circuit is the same
    source = (
        "OPENQASM 3;\nqubit[2] q;\nh q[0];\ncnot q[0], q[1];\n"
        "#pragma braket result state_vector\n#pragma braket result probability q[0]\n"
    )
    circuit = parse_qasm_checked(source, CircuitLimits()).circuit
    reference = QuantumCircuit(2)
    reference.h(0)
    reference.cx(0, 1)
    assert Operator(circuit) == Operator(reference)


def test_bits_set_before_the_run_and_never_measured_are_data_not_results():
    # Bernstein–Vazirani as people write it: the secret is a bit register read by `if`
    source = (
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nconst int n = 4;\nbit[n] secret = "1011";\n'
        "bit flag;\nflag = 1;\nqubit[n] q;\nqubit a;\nbit[n] c;\nx a;\nh a;\nh q;\n"
        "for int i in [0:n - 1] { if (secret[i] && flag) cx q[i], a; }\nh q;\nc = measure q;\n"
    )
    circuit = parse_qasm_checked(source, CircuitLimits()).circuit
    assert [r.name for r in circuit.cregs] == ["c"] and circuit.num_clbits == 4
    reference = QuantumCircuit(5)
    reference.x(4)
    reference.h(range(5))
    for i in range(4):
        if (0b1011 >> i) & 1:  # secret[0] is the rightmost character of "1011"
            reference.cx(i, 4)
    reference.h(range(4))
    assert Operator(circuit.remove_final_measurements(inplace=False)) == Operator(reference)
