"""The pre-scan: what it finds before any parser runs, and where it errs towards seeing more."""

from __future__ import annotations

import pytest

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.limits import CircuitLimits
from qdispatch_core.rules.qasm_scan import (
    INCLUDE_REFUSED,
    Declared,
    blank_comments,
    check_source,
    declared,
)


def test_comments_are_blanked_and_strings_kept_with_line_numbers():
    text = 'a // qreg x[9];\n/* qreg y[9];\n */ include "f // g";\n'
    blanked = blank_comments(text)
    assert "qreg" not in blanked and '"f // g"' in blanked
    assert blanked.count("\n") == text.count("\n")


@pytest.mark.parametrize(
    "source, qubits, clbits",
    [
        ("OPENQASM 2.0;\nqreg q[3];\ncreg c[2];\nqreg r [ 4 ] ;\n", 7, 2),
        ("OPENQASM 2.0;\nqreg q // a comment between\n[5];\n", 5, 0),
        ("OPENQASM 3.0;\nqubit[3] q;\nqubit a;\nbit[2] c;\nbit b;\n", 4, 3),
        ("OPENQASM 3.0;\nqubit[1_000] q;\n", 1000, 0),
        ("OPENQASM 3.0;\nx $41;\n", 42, 0),
        ("OPENQASM 3.0;\nqubits q;\norbit[9] o;\n// qubit[99] q;\n", 0, 0),
        ("OPENQASM 3.0;\nconst uint n = 4;\nqubit[n] q;\n", 0, 0),  # the converter counts it
    ],
)
def test_declared_bits(source, qubits, clbits):
    assert declared(blank_comments(source)) == Declared(qubits, clbits)


@pytest.mark.parametrize(
    "source, version, words",
    [
        ('OPENQASM 2.0;\ninclude "/etc/passwd";\n', 2, INCLUDE_REFUSED),
        ('OPENQASM 2.0;\ninclude   \n"../x.inc";\n', 2, INCLUDE_REFUSED),
        ("OPENQASM 2.0;\ninclude 'secret.key';\n", 2, INCLUDE_REFUSED),
        ('OPENQASM 2.0;\ninclude "stdgates.inc";\n', 2, INCLUDE_REFUSED),
        ('OPENQASM 3.0;\ninclude "qelib1.inc";\n', 3, INCLUDE_REFUSED),
        ("OPENQASM 3.0;\ninclude;\n", 3, INCLUDE_REFUSED),
        ("OPENQASM 2.0;\nqreg q[18446744073709551617];\n", 2, "below 2^63"),
        ("OPENQASM 2.0;\nqreg q[2];\nx q[9223372036854775808];\n", 2, "below 2^63"),
        ("OPENQASM 2.0;\nqreg q[20000];\n", 2, "QDISPATCH_LIMIT_QUBITS"),
        ("OPENQASM 3.0;\nbit[200000] c;\n", 3, "QDISPATCH_LIMIT_CLBITS"),
        ("OPENQASM 3.0;\nqubit[" + "9" * 5000 + "] q;\n", 3, "QDISPATCH_LIMIT_QUBITS"),
    ],
)
def test_refusals_come_before_any_parser(source, version, words):
    with pytest.raises(BadRequest) as err:
        check_source(blank_comments(source), version, CircuitLimits())
    assert words in err.value.message


def test_the_include_refusal_is_the_same_for_every_path():
    messages = set()
    for path in ("/etc/passwd", "/nonexistent", "../../x", "a b c"):
        with pytest.raises(BadRequest) as err:
            check_source(f'OPENQASM 2.0;\ninclude "{path}";\n', 2, CircuitLimits())
        messages.add(err.value.message)
    assert len(messages) == 1


def test_built_in_includes_and_ordinary_sources_pass():
    assert check_source('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\n', 2, CircuitLimits())
    three = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\n// include "x";\n'
    assert check_source(three, 3, CircuitLimits()).qubits == 2
