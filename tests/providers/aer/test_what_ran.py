"""What ran on Aer (issue 23 item 2): the transpiled circuit as simulated, once per circuit and
group, and which qubit each output bit reads."""

from __future__ import annotations

from qdispatch_core.domain import RunType
from tests.contract.backend_contract import drive, make_spec
from tests.samples import PARAM_2Q

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


def test_exact_runs_record_the_program_simulated_once_for_every_parameter_set(aer, qiskit_toolkit):
    sets = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    execution = run(
        aer,
        qiskit_toolkit,
        [PARAM_2Q],
        run_type=RunType.STATEVECTOR,
        parameters=sets,
        observables=[[["ZZ"], [1.0]], [["XX"], [1.0]]],
    )
    ran = execution.ran
    (executed,) = ran["executed"]  # one program: Aer binds the parameter sets into it
    assert executed["executables"] == [0, 3] and executed["group"] is None
    assert executed["clbit_to_physical"] == []  # final measurements dropped: nothing read
    program = ran["programs"][executed["program"]]
    assert "input float[64] theta;" in program and "measure" not in program
    assert "expectation values" in ran["exact"]
    assert ran["seeds"]["simulator_seeds"].startswith("not used")


def test_a_state_vector_run_records_its_program(aer, qiskit_toolkit):
    execution = run(aer, qiskit_toolkit, [CROSSED], run_type=RunType.STATEVECTOR)
    (executed,) = execution.ran["executed"]
    physical = executed["virtual_to_physical"]
    assert f"x q[{physical[2]}];" in execution.ran["programs"][executed["program"]]
    assert "state vector" in execution.ran["exact"]
