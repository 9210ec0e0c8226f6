"""Circuits back to OpenQASM text, for SDKs that read QASM rather than Qiskit objects."""

from __future__ import annotations

from qiskit import QuantumCircuit, qasm2, qasm3

from qdispatch_core.errors import BadRequest


def to_qasm2(circuit: QuantumCircuit) -> str:
    """OpenQASM 2 text; BadRequest when the circuit uses what 2.0 cannot say (unbound
    parameters, bit-level conditions, zero-qubit gates)."""
    try:
        return qasm2.dumps(circuit)
    except qasm2.QASM2ExportError as exc:
        raise BadRequest(f"the circuit cannot be written as OpenQASM 2: {exc.message}") from None


def to_qasm3(circuit: QuantumCircuit) -> str:
    """OpenQASM 3 text (unbound parameters become `input float[64]` declarations)."""
    try:
        return qasm3.dumps(circuit)
    except qasm3.QASM3ExporterError as exc:
        raise BadRequest(f"the circuit cannot be written as OpenQASM 3: {exc.message}") from None
