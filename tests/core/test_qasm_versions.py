"""Which OpenQASM version a source is read as (issue 20): the version line decides; without
one, the includes and the statements do."""

from __future__ import annotations

import pytest

from qdispatch_core.rules.circuits import likely_version, version_candidates


@pytest.mark.parametrize(
    "source, expected",
    [
        ("OPENQASM 2.0;\nqubit q;\n", (2,)),
        ("OPENQASM 3;\nqreg q[1];\n", (3,)),
        ('include "qelib1.inc";\nqreg q[2];\nh q[0];\n', (2,)),
        ('// OPENQASM 3.0;\ninclude "qelib1.inc";\nqreg q[1];\n', (2,)),
        ('include "stdgates.inc";\nqreg q[2];\n', (3,)),
        ("qreg q[2];\ncreg c[2];\nCX q[0], q[1];\nmeasure q -> c;\n", (2, 3)),
        ("qubit[2] q;\nbit[2] c;\nc = measure q;\n", (3,)),
        ("qreg q[2];\nbit[2] c;\n", (3, 2)),
        ("h q;\n", (3, 2)),
        ("qreg q[1];\ncreg c[1];\nif (c == 1) x q[0];\n", (2, 3)),
    ],
)
def test_version_candidates(source, expected):
    assert version_candidates(source) == expected
    assert likely_version(source) == expected[0]
