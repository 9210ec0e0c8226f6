"""Qiskit circuits into Braket's OpenQASM dialect: every gate mapping is checked against the
unitary Braket itself builds from the exported program."""

from __future__ import annotations

import math

import numpy as np
import pytest
from braket.circuits import Circuit
from braket.devices import LocalSimulator
from braket.ir.openqasm import Program
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.quantum_info import Operator

from qdispatch_braket import programs
from qdispatch_braket.catalog import load_catalog
from qdispatch_braket.programs import (
    BRAKET_NAMES,
    Compiler,
    Profile,
    export,
    physical,
    qiskit_basis,
)
from qdispatch_core.errors import BadRequest

STANDARD = get_standard_gate_name_mapping()
HEAD = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'
ANGLES = (0.37, -1.21, 2.03)


def _one_gate(name: str) -> QuantumCircuit:
    gate = STANDARD[name]
    params = ANGLES[: len(gate.params)]
    gate = type(gate)(*params) if params else gate
    circuit = QuantumCircuit(gate.num_qubits)
    circuit.append(gate, range(gate.num_qubits))
    return circuit


@pytest.mark.parametrize("name", sorted(BRAKET_NAMES))
def test_every_mapped_gate_has_the_same_matrix_in_braket(name):
    circuit = _one_gate(name)
    source = export(circuit).source
    braket_unitary = Circuit.from_ir(source).to_unitary()  # qubit 0 is the most significant
    qiskit_unitary = Operator(circuit).reverse_qargs().data
    np.testing.assert_allclose(braket_unitary, qiskit_unitary, atol=1e-12)


def test_the_local_simulators_accept_every_mapped_gate():
    gates = set(load_catalog()["local"]["braket_local_sv"]["gates"])
    assert set(BRAKET_NAMES.values()) <= gates
    assert qiskit_basis(sorted(gates)) == tuple(sorted(BRAKET_NAMES))


def test_a_device_basis_keeps_only_gates_it_has():
    assert qiskit_basis(["cnot", "rz", "v", "x", "gpi"]) == ("cx", "rz", "sx", "x")


def test_parameters_become_inputs_even_when_the_exporter_renames_them():
    h, theta = Parameter("h"), Parameter("theta")  # `h` collides with the gate h
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.rx(2 * theta + h, 1)
    exported = export(circuit, [0, 1])
    assert exported.inputs == {"h": "h_0", "theta": "theta"}
    result = (
        LocalSimulator("braket_sv")
        .run(Program(source=exported.source, inputs={"h_0": math.pi, "theta": 0.0}), shots=20)
        .result()
    )
    # Braket keys put b[0] (qubit 0) first: qubit 1 always 1 (rx(pi)), qubit 0 random (h)
    assert result.measured_qubits == [0, 1]
    assert set(result.measurement_counts) <= {"01", "11"}


def test_no_include_and_only_braket_names_in_the_source():
    circuit = QuantumCircuit(3)
    circuit.sdg(0)
    circuit.cx(0, 1)
    circuit.ccx(0, 1, 2)
    circuit.p(0.1, 2)
    circuit.barrier()
    source = export(circuit, [0, 1, 2]).source
    assert "include" not in source and "barrier" not in source
    for name in ("si q", "cnot q", "ccnot q", "phaseshift(0.1) q", "b[2] = measure q"):
        assert name in source


def test_physical_programs_name_device_qubits():
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 2)
    source = physical(export(circuit, [0, 2]), labels=(4, 7, 9))
    assert "qubit[" not in source
    assert "h $4;" in source and "cnot $4, $9;" in source and "b[1] = measure $9;" in source


def test_an_untranslatable_operation_is_a_bad_request():
    circuit = QuantumCircuit(1, 1)
    circuit.reset(0)
    with pytest.raises(BadRequest, match="no Braket equivalent"):
        export(circuit)


def test_compiling_for_a_restricted_gate_set_uses_only_those_gates():
    compiler = Compiler()
    source = HEAD + "qubit[3] q;\nccx q[0], q[1], q[2];\ncp(0.2) q[0], q[2];\n"
    compiled = compiler.compile(source, None, Profile(("rx", "rz", "cz", "x", "h")))
    assert set(compiled.circuit.count_ops()) <= {"rx", "rz", "cz", "x", "h"}
    # the same circuit, same profile: compiled once
    compiler.compile(source, None, Profile(("rx", "rz", "cz", "x", "h")))
    assert compiler.transpilations == 1


def test_pinned_compilation_routes_on_the_device_graph():
    compiler = Compiler()
    source = HEAD + "qubit[3] q;\nh q[0];\ncx q[0], q[1];\ncx q[0], q[2];\n"
    line = ((0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2))
    profile = Profile(
        ("h", "cz", "rx", "rz", "x"), pinned=True, coupling=line, labels=(10, 11, 12, 13)
    )
    compiled = compiler.compile(source, None, profile)
    edges = {
        tuple(compiled.circuit.find_bit(q).index for q in i.qubits)
        for i in compiled.circuit.data
        if len(i.qubits) == 2
    }
    assert edges <= set(line)
    assert set(compiled.measured) <= {10, 11, 12, 13}


def test_noise_pragmas_follow_gates_and_precede_measurements():
    source = (
        "OPENQASM 3.0;\nqubit[2] q;\nbit[2] b;\nh q[0];\ncnot q[0], q[1];\nb[0] = measure q[0];\n"
    )
    noisy = programs.with_noise(source, programs.Noise(readout_error=0.1, depolarizing_error=0.01))
    lines = noisy.splitlines()
    assert lines[lines.index("h q[0];") + 1] == "#pragma braket noise depolarizing(0.01) q[0]"
    after_cnot = lines[lines.index("cnot q[0], q[1];") + 1 : lines.index("cnot q[0], q[1];") + 3]
    assert after_cnot == [
        "#pragma braket noise depolarizing(0.01) q[0]",
        "#pragma braket noise depolarizing(0.01) q[1]",
    ]
    assert (
        lines[lines.index("b[0] = measure q[0];") - 1] == "#pragma braket noise bit_flip(0.1) q[0]"
    )
    assert programs.with_noise(source, programs.Noise()) == source
