"""QASM 2 and 3 parsing through the toolkit: versions, parameters, and located errors."""

from __future__ import annotations

import pytest

from qdispatch_core.errors import BadRequest
from qdispatch_qiskit import QiskitToolkit, parse_qasm
from qdispatch_qiskit.parsing import parse_qasm_versioned
from tests.samples import BELL_QASM2, BELL_QASM3, BROKEN, PARAM_2Q, PARAM_ORDER

QASM3_HEAD = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\n'
QASM2_HEAD = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\n'


@pytest.fixture
def toolkit():
    return QiskitToolkit()


def test_versions_come_from_the_header(toolkit):
    assert toolkit.inspect(BELL_QASM2).qasm_version == 2
    assert toolkit.inspect(BELL_QASM3).qasm_version == 3


def test_a_source_without_header_is_read_as_openqasm3():
    version, circuit = parse_qasm_versioned("qubit[1] q;\nU(0, 0, 0) q[0];\n")
    assert version == 3 and circuit.num_qubits == 1


def test_qasm3_inputs_become_parameters_in_binding_order(toolkit):
    analytics = toolkit.inspect(PARAM_ORDER).analytics
    assert analytics.parameter_names == ("theta10", "theta2")  # by name, not declaration
    assert analytics.num_parameters == 2
    assert toolkit.inspect(PARAM_2Q).analytics.parameter_names == ("phi", "theta")


def test_angle_inputs_are_parameters_too():
    circuit = parse_qasm(QASM3_HEAD + "input angle[32] a;\nrz(a) q[0];\n")
    assert [p.name for p in circuit.parameters] == ["a"]


def test_qasm2_reads_qiskits_legacy_extra_gates():
    circuit = parse_qasm(
        QASM2_HEAD
        + "gate rzz(theta) a,b { cx a,b; u1(theta) b; cx a,b; }\n"
        + "rzz(0.5) q[0],q[1];\n"
    )
    assert circuit.count_ops() == {"rzz": 1}


@pytest.mark.parametrize(
    "source, expected",
    [
        (BROKEN, "line 4, column 7: missing ';' at 'cx'"),
        (QASM3_HEAD + "hh q[0];\n", "line 4, column 1: gate 'hh' is not defined"),
        (QASM3_HEAD + "h q[0] #;\n", "line 4, column 8: token recognition error at: '#;'"),
        (QASM3_HEAD + "rx(0.1 q[0];\n", "line 4, column 8: no viable alternative"),
        (QASM3_HEAD + "break;\n", "line 4, column 1: 'break' statement outside loop"),
        (QASM2_HEAD + "hh q[0];\n", "line 4, column 1: 'hh' is not defined in this scope"),
        (QASM2_HEAD + "  h q[5];\n", "line 4, column 7: index 5 is out-of-range"),
        (QASM2_HEAD + "h q[0]\ncx q[0], q[1];\n", "line 5, column 1: needed ';'"),
        ("OPENQASM 4.0;\nqubit q;\n", "line 1, column 1: OpenQASM 4 is not supported"),
        ("// a comment\nOPENQASM 5;\n", "line 2, column 1: OpenQASM 5 is not supported"),
    ],
)
def test_parse_errors_carry_one_based_line_and_column(toolkit, source, expected):
    with pytest.raises(BadRequest) as err:
        toolkit.inspect(source)
    assert err.value.message.startswith(expected), err.value.message
    assert "Traceback" not in err.value.message


def test_parse_errors_print_nothing(toolkit, capfd):
    for source in (QASM3_HEAD + "h q[0] #;\n", QASM3_HEAD + "rx(0.1 q[0];\n", BROKEN):
        with pytest.raises(BadRequest):
            toolkit.inspect(source)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_parsed_circuits_are_cached_by_content_and_every_caller_gets_its_own():
    from qdispatch_qiskit.parsing import _circuits

    first = parse_qasm(BELL_QASM3)
    misses = _circuits.misses
    second = parse_qasm(BELL_QASM3)
    # Line endings and trailing spaces do not make another circuit (core's content hash).
    third = parse_qasm(BELL_QASM3.replace("\n", "  \r\n"))
    assert _circuits.misses == misses  # both came from the cache
    assert first == second == third
    assert first is not second and second is not third  # copies: nobody shares a circuit
    second.x(0)  # changing one's copy changes nobody else's
    assert parse_qasm(BELL_QASM3) == first != second


def test_failures_are_not_cached():
    for _ in range(2):
        with pytest.raises(BadRequest):
            parse_qasm(BROKEN)
