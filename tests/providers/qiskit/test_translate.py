"""translate_for: native gates for a few appended gates, without moving qubits."""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.quantum_info import Operator

from qdispatch_qiskit import final_positions, measure_in_basis, translate_for, transpile_for
from qdispatch_qiskit.transpiling import _translators


def test_basis_rotations_become_native_gates_on_the_same_qubits():
    backend = GenericBackendV2(num_qubits=5, basis_gates=["rz", "sx", "x", "cx"], seed=3)
    source = QuantumCircuit(2)
    source.h(0)
    source.cx(0, 1)
    placed = transpile_for(source, backend.target, optimization_level=2, seed_transpiler=1)
    measured = measure_in_basis(placed, "YX", final_positions(placed, 2))
    assert "h" in measured.count_ops()  # not native: the runtime would refuse it
    native = translate_for(measured, backend.target)
    assert set(native.count_ops()) <= {"rz", "sx", "x", "cx", "measure"}
    assert native.layout == measured.layout and native.num_qubits == 5
    # the same unitary part, the same measurements (qubit -> bit)
    unitary = native.remove_final_measurements(inplace=False)
    expected = measured.remove_final_measurements(inplace=False)
    assert Operator(unitary).equiv(Operator(expected))
    reads = [
        (native.find_bit(i.qubits[0]).index, native.find_bit(i.clbits[0]).index)
        for i in native.data
        if i.operation.name == "measure"
    ]
    assert sorted(reads) == sorted(
        (measured.find_bit(i.qubits[0]).index, measured.find_bit(i.clbits[0]).index)
        for i in measured.data
        if i.operation.name == "measure"
    )


def test_translators_are_cached_per_target():
    backend = GenericBackendV2(num_qubits=2, basis_gates=["rz", "sx", "cx"], seed=4)
    circuit = QuantumCircuit(1)
    circuit.h(0)
    before = _translators.misses
    first = translate_for(circuit, backend.target)
    translate_for(circuit, backend.target)
    assert _translators.misses == before + 1
    assert np.allclose(Operator(first).data, Operator(circuit).data) or Operator(first).equiv(
        Operator(circuit)
    )
    assert circuit.count_ops() == {"h": 1}  # the input is untouched
