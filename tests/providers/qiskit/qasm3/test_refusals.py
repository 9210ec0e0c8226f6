"""What cannot be lowered before the run is a 400 at its line and column, saying why; limits
hold for lowered programs, and a loop bomb is refused before it is unrolled."""

from __future__ import annotations

import time

import pytest

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.limits import CircuitLimits
from qdispatch_qiskit.parsing import parse_qasm_checked

HEAD = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'


def refusal(body: str, limits: CircuitLimits | None = None) -> str:
    with pytest.raises(BadRequest) as refused:
        parse_qasm_checked(HEAD + body, limits or CircuitLimits())
    return refused.value.message


@pytest.mark.parametrize(
    "body, where, words",
    [
        (
            "qubit q;\nbit c;\nint n = 0;\nc = measure q;\nif (c == 1) { n += 1; }\nrx(n) q;\n",
            "line 8, column 4",
            "'n' is assigned at line 7 under a condition on measured bits",
        ),
        (
            "qubit q;\nbit c;\nint n = 0;\nc = measure q;\n"
            "while (c == 1) { n += 1; c = measure q; }\nrx(n) q;\n",
            "line 8, column 4",
            "'n' is assigned in a while loop on measured bits (line 7)",
        ),
        (
            "qubit q;\nbit c;\nc = measure q;\nint k = int(c) + 1;\nrx(k) q;\n",
            "line 6, column 9",
            "measured bits",
        ),
        (
            "extern f(int) -> int;\nqubit q;\nrx(f(2)) q;\n",
            "line 5, column 4",
            "extern function 'f'",
        ),
        ("qubit q;\n#pragma braket verbatim\nh q;\n", "line 4, column 1", "#pragma"),
        ("qubit q;\nx q;\n#pragma braket noise bit_flip(.1) q\n", "line 5, column 1", "#pragma"),
        (
            "qubit q;\nrx(0.1, 0.2) q;\n",
            "line 4, column 1",
            "gate 'rx' takes 1 parameter(s), not 2",
        ),
        (
            "gate g(a, b) r { rx(a) r; rz(b) r; }\nqubit q;\ng(0.1) q;\n",
            "line 5, column 1",
            "gate 'g' takes 2 parameter(s), not 1",
        ),
        (
            "input float t;\nqubit q;\nrx(t) q;\n",
            "line 3, column 1",
            "'t' is already declared (stdgates.inc defines a gate of that name)",
        ),
        ('defcalgrammar "openpulse";\nqubit q;\n', "line 3, column 1", "pulse-level"),
        ("stretch g;\nqubit q;\ndelay[g] q;\n", "line 3, column 1", "timing variables"),
        ("input uint n;\nqubit q;\n", "line 3, column 1", "input float"),
        ("output int n;\nqubit q;\n", "line 3, column 1", "only `output bit`"),
        (
            "qubit[2] q;\nfor int i in [0:2] { h q[i]; }\n",
            "line 4, column 26",
            "index 2 is out of range",
        ),
        (
            "qubit[2] q;\ndef f(qubit a) { h a[1]; }\nf(q[0]);\n",
            "line 4, column 22",
            "(in subroutine 'f' called at line 5)",
        ),
        (
            "qubit q;\nbit c;\nc = measure q;\nfor int i in [0:3] { if (c) break; }\n",
            "line 6, column 29",
            "break or continue",
        ),
        ("qubit q;\nconst int n = 2;\nn = 3;\n", "line 5, column 1", "constant"),
        (
            'qubit q;\nbit[2] b = "11";\nh q;\nb[0] = measure q;\n',
            "line 4, column 1",
            "bits start at 0",
        ),
    ],
)
def test_what_cannot_be_lowered_is_refused_where_it_is(body, where, words):
    message = refusal(body)
    assert message.startswith(where + ": "), message
    assert words in message, message
    assert message.count("must be known before the run") <= 1, message  # said once


def test_a_loop_bomb_is_refused_before_it_is_unrolled():
    bomb = (
        "qubit q;\n"
        "for int i in [1:1000] { for int j in [1:1000] { for int k in [1:1000] { h q; } } }\n"
    )
    started = time.process_time()
    message = refusal(bomb)
    assert "statements once loops and subroutines are unrolled" in message
    assert "QDISPATCH_LIMIT_OPERATIONS" in message and message.startswith("line 4, column 1")
    assert time.process_time() - started < 5  # nothing was unrolled (generous on a busy machine)


def test_a_loop_whose_body_grows_is_stopped_by_the_budget():
    # the inner range depends on the outer index, so only the running count can stop it
    loop = "qubit q;\nfor int i in [1:3000] { for int j in [1:i] { h q; } }\n"
    message = refusal(loop, CircuitLimits(operations=100_000))
    assert "QDISPATCH_LIMIT_OPERATIONS" in message


def test_an_endless_known_while_is_stopped_by_the_budget():
    message = refusal(
        "qubit q;\nint i = 0;\nwhile (true) { i += 1; }\n", CircuitLimits(operations=10_000)
    )
    assert "QDISPATCH_LIMIT_OPERATIONS" in message


def test_subroutine_recursion_is_bounded():
    message = refusal("qubit q;\ndef f(qubit a) { h a; f(a); }\nf(q);\n")
    assert "subroutine calls nested in each other: 65" in message
    assert "QDISPATCH_LIMIT_GATE_NESTING" in message


def test_huge_integers_are_refused_not_computed():
    message = refusal("qubit q;\nconst int n = 2 ** (2 ** 40);\n")
    assert message.startswith("line 4, column 15") and "256 bits" in message


def test_a_long_unrolled_loop_is_read():
    # 200,000 unrolled gates, handed to the importer one statement at a time
    loop = "qubit[2] q;\nfor int i in [1:100000] { h q[0]; cx q[0], q[1]; }\n"
    parsed = parse_qasm_checked(HEAD + loop, CircuitLimits())
    assert parsed.cost.operations == 200_000


def test_the_standard_gates_parameter_counts_are_qiskits():
    from qiskit_qasm3_import.converter import _STDGATES

    from qdispatch_qiskit.qasm3_lowering import STANDARD_GATE_PARAMETERS

    assert {name: shape[1] for name, shape in _STDGATES.items()} == STANDARD_GATE_PARAMETERS
