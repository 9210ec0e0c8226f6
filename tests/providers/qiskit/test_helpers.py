"""The helpers providers share: measurement bases, binding, observables, bit order, export,
transpiling."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector

from qdispatch_core.errors import BadRequest
from qdispatch_qiskit import (
    bind_parameter_sets,
    check_final_measurements,
    counts_to_big_endian,
    counts_to_little_endian,
    drop_final_measurements,
    final_positions,
    join_registers,
    measure_in_basis,
    non_unitary_operations,
    parameter_binds,
    parameter_matrix,
    parse_qasm,
    select_bits,
    sparse_pauli_op,
    to_big_endian,
    to_little_endian,
    to_qasm2,
    to_qasm3,
    transpile_for,
)
from tests.samples import BELL_QASM2, BELL_QASM3, PARAM_2Q, PARAM_ORDER

# -- measurements ----------------------------------------------------------------------------


def test_drop_final_measurements_keeps_mid_circuit_ones():
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.measure(0, 0)
    qc.cx(0, 1)
    qc.measure(1, 1)
    dropped = drop_final_measurements(qc)
    assert dropped.count_ops() == {"h": 1, "measure": 1, "cx": 1}
    assert qc.count_ops()["measure"] == 2  # the input is untouched
    assert non_unitary_operations(dropped) == ["measure"]
    assert non_unitary_operations(drop_final_measurements(parse_qasm(BELL_QASM3))) == []


def _probabilities(circuit: QuantumCircuit) -> dict[str, float]:
    state = Statevector(circuit.remove_final_measurements(inplace=False))
    return {k: p for k, p in state.probabilities_dict().items() if p > 1e-12}


def test_circuits_that_measure_or_reset_early_are_refused_naming_the_first():
    # a reset of a touched qubit (a reset of a fresh one is dropped when the source is read)
    reset_first = BELL_QASM2.replace("h q[0];", "x q[1];\nreset q[1];\nh q[0];")
    check_final_measurements([BELL_QASM2, BELL_QASM3], "never shown", field="circuits")
    with pytest.raises(BadRequest) as refused:
        check_final_measurements(
            [BELL_QASM2, reset_first, reset_first], "this device needs X", field="run_type"
        )
    assert refused.value.field == "run_type"
    assert refused.value.message == (
        "circuit 2 has reset before its final measurements; this device needs X"
    )


@pytest.mark.parametrize(
    "basis, gates",
    [("ZI", []), ("IX", ["h"]), ("YZ", ["sdg", "h"]), ("XY", ["sdg", "h", "h"])],
)
def test_measure_in_basis_rotates_and_measures_every_qubit(basis, gates):
    base = drop_final_measurements(parse_qasm(BELL_QASM2))
    out = measure_in_basis(base, basis)
    added = [ci.operation.name for ci in out.data[len(base.data) :]]
    assert [g for g in added if g != "measure"] == gates
    assert added.count("measure") == 2
    register = out.cregs[-1]
    assert register.size == 2
    # qubit q is measured into bit q of the new register
    for ci in out.data:
        if ci.operation.name == "measure":
            assert out.find_bit(ci.qubits[0]).index == register.index(ci.clbits[0])


def test_measure_in_basis_xx_on_bell_gives_even_parity():
    base = drop_final_measurements(parse_qasm(BELL_QASM2))
    probs = _probabilities(measure_in_basis(base, "XX").remove_final_measurements(inplace=False))
    assert set(probs) == {"00", "11"}


def test_measure_in_basis_uses_physical_positions():
    base = QuantumCircuit(2)
    base.x(0)
    out = measure_in_basis(base, "ZX", positions=[1, 0])
    rotated = [ci for ci in out.data if ci.operation.name == "h"]
    assert [out.find_bit(ci.qubits[0]).index for ci in rotated] == [1]  # qubit 0 sits at 1
    with pytest.raises(ValueError):
        measure_in_basis(base, "ZX", positions=[0])
    with pytest.raises(ValueError):
        measure_in_basis(base, "ZQ")


def test_measure_in_basis_avoids_register_name_clashes():
    qc = QuantumCircuit(1)
    qc.measure_all(add_bits=True)
    qc2 = qc.copy()
    out = measure_in_basis(qc2, "Z")
    assert len({r.name for r in out.cregs}) == len(out.cregs) == 2


# -- parameters -------------------------------------------------------------------------------


def test_binds_match_values_by_name_in_binding_order():
    circuit = parse_qasm(PARAM_ORDER)  # parameter_names: theta10, theta2
    names = ("theta10", "theta2")
    binds = parameter_binds(circuit, names, [(1.0, 2.0), (3.0, 4.0)])
    assert {p.name: v for p, v in binds.items()} == {"theta10": [1.0, 3.0], "theta2": [2.0, 4.0]}
    matrix = parameter_matrix(circuit, names, [(1.0, 2.0), (3.0, 4.0)])
    assert matrix.tolist() == [[1.0, 2.0], [3.0, 4.0]]  # columns in circuit.parameters order
    bound = bind_parameter_sets(circuit, names, [(1.0, 2.0)])[0]
    expected = circuit.assign_parameters({"theta10": 1.0, "theta2": 2.0})
    assert Operator(drop_final_measurements(bound)) == Operator(drop_final_measurements(expected))


def test_binding_survives_a_parameter_the_transpiler_removed():
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(1)
    qc.rx(a, 0)
    qc.rz(b, 0)
    reduced = qc.assign_parameters({a: 0.0})  # stands for a circuit that lost parameter a
    assert parameter_binds(reduced, ("a", "b"), [(9.0, 1.5)]) == {b: [1.5]}
    assert parameter_binds(QuantumCircuit(1), (), [()]) is None
    with pytest.raises(ValueError, match="no values for parameter"):
        parameter_binds(qc, ("a",), [(1.0,)])


# -- observables and bit order ------------------------------------------------------------------


def test_sparse_pauli_op_keeps_qiskit_order():
    op = sparse_pauli_op([["IZ", "XI"], [1.0, 0.5]])
    assert op == SparsePauliOp(["IZ", "XI"], coeffs=[1.0, 0.5])
    state = Statevector.from_label("01")  # qubit 0 is |1>
    assert state.expectation_value(op).real == pytest.approx(-1.0)
    with pytest.raises(ValueError):
        sparse_pauli_op([["Z"], []])


def test_bit_order_conversions():
    assert to_big_endian("001") == "100" and to_little_endian("100") == "001"
    assert to_big_endian("10 1") == "101"  # register separators disappear
    assert join_registers("10 01") == "1001"
    counts = {"001": 3, "100": 5}
    assert counts_to_big_endian(counts) == {"100": 3, "001": 5}
    assert counts_to_little_endian(counts_to_big_endian(counts)) == counts


def test_select_bits_takes_a_register_by_position():
    # bits (rightmost = bit 0): the basis register (bits 1..2) follows one mid-circuit bit
    counts = {"10 1": 4, "10 0": 2, "01 1": 1}
    assert select_bits(counts, 1, 2) == {"10": 6, "01": 1}
    assert select_bits(counts, 0, 1) == {"1": 5, "0": 2}
    with pytest.raises(ValueError):
        select_bits(counts, 2, 2)


# -- export and transpiling ---------------------------------------------------------------------


def test_export_round_trips_through_both_versions():
    circuit = parse_qasm(BELL_QASM2)
    again2 = parse_qasm(to_qasm2(circuit))
    again3 = parse_qasm(to_qasm3(circuit))
    assert again2.count_ops() == again3.count_ops() == circuit.count_ops()
    parametric = parse_qasm(PARAM_2Q)
    assert "input float[64] theta;" in to_qasm3(parametric)
    with pytest.raises(BadRequest, match="OpenQASM 2"):
        to_qasm2(parametric)  # OpenQASM 2 has no free parameters


def test_transpile_for_reuses_pass_managers_and_keeps_the_input():
    from qiskit.providers.fake_provider import GenericBackendV2

    backend = GenericBackendV2(num_qubits=3, basis_gates=["rz", "sx", "x", "cx"], seed=1)
    circuit = parse_qasm(BELL_QASM3)
    out = transpile_for(circuit, backend=backend, optimization_level=1, seed_transpiler=3)
    assert set(out.count_ops()) <= {"rz", "sx", "x", "cx", "measure", "barrier"}
    assert circuit.count_ops() == {"h": 1, "cx": 1, "measure": 2}
    again = transpile_for(circuit, backend.target, optimization_level=1, seed_transpiler=3)
    assert again == out
    with pytest.raises(ValueError):
        transpile_for(circuit, backend.target, optimization_level=4)
    with pytest.raises(ValueError):
        transpile_for(circuit)


def test_final_positions_follow_the_layout():
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.swap(0, 2)
    assert final_positions(qc, 3) == [0, 1, 2]  # untranspiled: no layout
    from qiskit.providers.fake_provider import GenericBackendV2

    backend = GenericBackendV2(num_qubits=5, seed=2)
    out = transpile_for(qc, backend.target, optimization_level=3, seed_transpiler=5)
    positions = final_positions(out, 3)
    assert "swap" not in out.count_ops() and positions[2] != 2  # the swap became a relabelling
    # The state of source qubit q is found at physical positions[q] at the end.
    state = Statevector(out)
    probs = state.probabilities(qargs=[positions[2]])
    assert np.allclose(probs, [0.5, 0.5])  # the H'd qubit was swapped onto source qubit 2
