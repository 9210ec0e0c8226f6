"""Sources without a version line (issue 20): old OpenQASM 2 benchmark files that include
qelib1.inc are OpenQASM 2; a source that reads as neither version says what each found."""

from __future__ import annotations

import pytest

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.limits import CircuitLimits
from qdispatch_qiskit.parsing import parse_qasm_checked

HEADERLESS_QASM2 = (
    '// from an older benchmark suite\ninclude "qelib1.inc";\nqreg q[3];\ncreg c[3];\n'
    "h q[0];\ncx q[0],q[1];\nccx q[0],q[1],q[2];\nmeasure q -> c;\n"
)


def test_a_headerless_source_that_includes_qelib1_is_openqasm_2():
    parsed = parse_qasm_checked(HEADERLESS_QASM2, CircuitLimits())
    assert parsed.version == 2
    assert dict(parsed.circuit.count_ops()) == {"measure": 3, "h": 1, "cx": 1, "ccx": 1}


def test_a_headerless_source_of_only_openqasm_2_statements_is_openqasm_2():
    source = "qreg q[2];\ncreg c[2];\nU(pi/2,0,pi) q[0];\nCX q[0],q[1];\nmeasure q -> c;\n"
    assert parse_qasm_checked(source, CircuitLimits()).version == 2


def test_a_source_neither_version_reads_says_which_were_tried():
    with pytest.raises(BadRequest) as refused:
        parse_qasm_checked("qreg q[2];\ncreg c[2];\nfoo bar baz;\n", CircuitLimits())
    message = refused.value.message
    assert message.startswith(
        "the source has no version line and reads as neither OpenQASM 2 nor 3"
    )
    assert "as OpenQASM 2: line 3, column 1:" in message
    assert "as OpenQASM 3: line 3, column 9:" in message
    assert message.endswith("start it with OPENQASM 3.0; or OPENQASM 2.0;")


def test_a_limit_is_not_retried_as_the_other_version():
    source = "qreg q[2];\ncreg c[2];\nh q[0];\n"
    with pytest.raises(BadRequest) as refused:
        parse_qasm_checked(source, CircuitLimits(qubits=1))
    assert "QDISPATCH_LIMIT_QUBITS" in refused.value.message
    assert "neither" not in refused.value.message
