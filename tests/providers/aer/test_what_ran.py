"""What ran on Aer (issue 23 item 2): the transpiled circuit as simulated, once per circuit and
group, and which qubit each output bit reads."""

from __future__ import annotations

from tests.contract.backend_contract import drive, make_spec

CROSSED = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[2];
x q[2];
measure q[2] -> c[0];
measure q[0] -> c[1];
"""


def run(backend, toolkit, qasms, **kwargs):
    spec = make_spec(toolkit, qasms, "aer_simulator", **kwargs)
    backend.validate(backend.get_device("aer_simulator"), spec)
    _, state, execution = drive(backend, spec, {})
    assert state.message is None, state.message
    return execution


def test_the_layout_maps_the_bits_as_the_counts_show(aer, qiskit_toolkit):
    execution = run(aer, qiskit_toolkit, [CROSSED], shots=100, options={"seed_simulator": 3})
    assert execution.outputs == [{"01": 100}]  # bit 0 reads qubit 2, the one flipped
    (executed,) = execution.ran["executed"]
    physical = executed["virtual_to_physical"]
    assert executed["clbit_to_physical"] == [physical[2], physical[0]]
    program = execution.ran["programs"][executed["program"]]
    assert f"x q[{physical[2]}];" in program  # Aer's circuits keep their virtual register
    assert execution.ran["seeds"]["seed_simulator"] == 3
