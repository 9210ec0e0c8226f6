"""The toolkit's bounded parsing: unrolled operations counted without unrolling, OpenQASM 3 gates
defined lazily yet equal to what the upstream converter builds, OpenQASM 2 gates copied without
building their definitions, bits counted before allocation."""

from __future__ import annotations

import pytest
from qiskit import qasm3, transpile
from qiskit.quantum_info import Operator

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.limits import CircuitLimits
from qdispatch_qiskit.expansion import expansion, iterations
from qdispatch_qiskit.parsing import parse_qasm_checked
from qdispatch_qiskit.qasm3_reader import DeferredGate, load_qasm3

HEAD3 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
HEAD2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'

PARAMETRIC = (
    HEAD3
    + """
gate inner(a) q { rx(a) q; rz(2 * a) q; }
gate outer(b, c) p, q { inner(b) p; cx p, q; inner(b + c) q; }
input float theta;
qubit[2] r;
outer(theta, 0.25) r[0], r[1];
outer(0.5, theta) r[1], r[0];
inv @ outer(0.1, 0.2) r[0], r[1];
ctrl @ inner(0.3) r[0], r[1];
pow(0.5) @ inner(0.7) r[1];
"""
)


def test_lazy_gates_are_the_upstream_converters_gates():
    ours = load_qasm3(PARAMETRIC)
    upstream = qasm3.loads(PARAMETRIC)
    assert isinstance(ours.data[0].operation, DeferredGate)
    assert [p.name for p in ours.parameters] == [p.name for p in upstream.parameters]
    bound = {ours.parameters[0]: 0.37}
    ours_bound = ours.assign_parameters(bound)
    upstream_bound = upstream.assign_parameters({upstream.parameters[0]: 0.37})
    assert Operator(ours_bound).equiv(Operator(upstream_bound))
    basis = ["rx", "rz", "cx", "u"]
    assert Operator(transpile(ours_bound, basis_gates=basis)).equiv(Operator(upstream_bound))


@pytest.mark.parametrize("version", [2, 3])
def test_unrolled_operations_are_counted_not_unrolled(version):
    head = HEAD2 + "qreg q[1];\n" if version == 2 else HEAD3 + "qubit[1] q;\n"
    gates = "gate g0 a { x a; h a; x a; }\n" + "".join(
        f"gate g{k} a {{ g{k - 1} a; g{k - 1} a; }}\n" for k in range(1, 30)
    )
    source = head.replace("qreg", gates + "qreg") if version == 2 else head + gates
    parsed = parse_qasm_checked(source + "g29 q[0];\ng3 q[0];\n")
    assert parsed.cost.operations == 3 * 2**29 + 3 * 2**3
    assert parsed.cost.nesting == 30


def test_loops_multiply_their_bodies():
    loop = (
        HEAD3
        + "qubit[2] q;\nfor int i in [0:9] { for int j in [0:2:9] { h q[0]; cx q[0], q[1]; } }\n"
    )
    found = expansion(load_qasm3(loop))
    assert found.operations == 10 * 5 * 2  # unrolled while reading (qasm3_lowering)
    assert iterations(range(0, 10**30, 3)) == -(-(10**30) // 3)
    assert iterations(range(10, 0, -3)) == 4


@pytest.mark.parametrize(
    "source, words",
    [
        (HEAD3 + "qubit[2] q;\nfor int i in [0:2000000] { x q[0]; }\n", "OPERATIONS"),
        (HEAD3 + "qubit[1] q;\nfor int i in [0:10000000000000000000] { x q[0]; }\n", "±2^62"),
        (HEAD3 + "qubit[10000 * 2] q;\n", "QUBITS"),
        (HEAD3 + "qubit[4] q;\nx $20000;\n", "QUBITS"),
        (HEAD3 + "qubit[8] q;\npow(2) @ ctrl(4) @ x q[0], q[1], q[2], q[3], q[4];\n", "pow"),
        (HEAD3 + "qubit[3] q;\nctrl(100000) @ x q[0], q[1];\n", "QUBITS"),
        (
            HEAD3
            + "gate big a { "
            + "h a; " * 2000
            + "}\nqubit[1] q;\n"
            + "inv @ big q[0];\n" * 11,
            "MODIFIED_OPERATIONS",
        ),
        (
            HEAD2 + "".join(f"gate h{k} a {{ h{k - 1} a; }}\n" for k in range(1, 100)),
            "GATE_NESTING",
        ),
    ],
)
def test_costs_beyond_the_limits_are_refused_while_reading(source, words):
    with pytest.raises(BadRequest) as err:
        source = source.replace("gate h1 a { h0 a; }", "gate h0 a { x a; }\ngate h1 a { h0 a; }")
        parse_qasm_checked(
            source + ("qreg q[1];\nh99 q[0];\n" if "h99" in source else ""), CircuitLimits()
        )
    assert words in err.value.message


def test_a_cached_circuit_is_held_to_the_callers_limits():
    source = HEAD2 + "qreg q[30];\nh q;\n"
    assert parse_qasm_checked(source).circuit.num_qubits == 30  # no limits: the worker
    with pytest.raises(BadRequest, match="QUBITS"):
        parse_qasm_checked(source, CircuitLimits(qubits=20))
    with pytest.raises(BadRequest, match="OPERATIONS"):
        parse_qasm_checked(source, CircuitLimits(operations=10))


def test_qasm2_registers_are_bounded_as_the_parser_streams():
    """A register declared after another one: the second is refused before it is allocated,
    by the bytecode check itself (the pre-scan sees the same, first)."""
    from qdispatch_qiskit import parsing

    source = "OPENQASM 2.0;\nqreg a[5];\nqreg b[100000000];\n"
    with pytest.raises(BadRequest, match="qubits declared: 100,000,005"):
        parsing._load_qasm2(source, CircuitLimits())
