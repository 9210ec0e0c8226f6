"""What ran on IonQ (issue 23 item 2): the JSON circuit as sent, and which qubit each output
bit reads."""

from __future__ import annotations

import json

from tests.providers.ionq.conftest import run_job

CROSSED = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[2];
x q[2];
measure q[2] -> c[0];
measure q[0] -> c[1];
"""


def test_the_program_as_sent_and_the_bits_it_reads(ionq, qiskit_toolkit):
    _, execution = run_job(
        ionq, qiskit_toolkit, [CROSSED], shots=100, options={"seed_simulator": 1}
    )
    assert execution.outputs == [{"01": 100}]  # bit 0 reads qubit 2, the one flipped
    ran = execution.ran
    (executed,) = ran["executed"]
    assert executed["clbit_to_physical"] == [2, 0] and executed["executables"] == [0, 1]
    program = json.loads(ran["programs"][executed["program"]])
    assert program["gateset"] == "qis"
    assert {"gate": "x", "targets": [2]} in program["circuit"]
    assert ran["seeds"]["seed_simulator"] == 1 and "cirq-ionq" in ran["versions"]


def test_repeated_parameter_sets_share_one_program(ionq, qiskit_toolkit):
    qasm = "\n".join(
        [
            "OPENQASM 3.0;",
            'include "stdgates.inc";',
            "input float a;",
            "qubit[1] q;",
            "bit[1] c;",
            "rx(a) q[0];",
            "c[0] = measure q[0];",
        ]
    )
    _, execution = run_job(ionq, qiskit_toolkit, [qasm], shots=10, parameters=[[0.5], [0.5], [0.9]])
    ran = execution.ran
    assert [e["executables"] for e in ran["executed"]] == [[0, 2], [2, 1]]
    assert len(ran["programs"]) == 2  # bound values: one program per distinct parameter set
