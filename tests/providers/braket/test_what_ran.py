"""What ran on Braket's local simulators (issue 23 item 2): the program as sent, once per
circuit and group however many parameter sets, and which qubit each output bit reads."""

from __future__ import annotations

from tests.providers.braket.conftest import run_job
from tests.samples import PARAM_2Q

CROSSED = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[2];
x q[2];
measure q[2] -> c[0];
measure q[0] -> c[1];
"""


def test_the_layout_maps_the_bits_as_the_counts_show(braket, qiskit_toolkit):
    execution = run_job(braket, qiskit_toolkit, [CROSSED], "braket_local_sv", shots=100)
    assert execution.outputs == [{"01": 100}]  # bit 0 reads qubit 2, the one flipped
    (executed,) = execution.ran["executed"]
    assert executed["clbit_to_physical"] == [2, 0]
    program = execution.ran["programs"][executed["program"]]
    assert "x q[2];" in program and "OPENQASM 3.0;" in program
    assert "amazon-braket-sdk" in execution.ran["versions"]


def test_a_sweep_stores_one_program_per_group(braket, qiskit_toolkit):
    sets = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    execution = run_job(
        braket,
        qiskit_toolkit,
        [PARAM_2Q],
        "braket_local_sv",
        shots=50,
        parameters=sets,
        observables=[[["ZZ"], [1.0]], [["XX"], [1.0]]],
    )
    ran = execution.ran
    assert [e["executables"] for e in ran["executed"]] == [[0, 3], [3, 3]]
    assert len(ran["programs"]) == 2  # ZZ and XX bases; the parameter sets are inputs
