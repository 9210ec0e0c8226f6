"""Qiskit circuits into OpenQASM 3 in Braket's dialect.

Braket reads OpenQASM 3 without `stdgates.inc` and names its gates its own way (`cnot`, `si`,
`v`, `phaseshift`, ...). A circuit is transpiled into the Qiskit gates that have a Braket
twin among the device's operations, renamed, and written out by Qiskit's exporter with those
names declared as built in. Every mapping below is checked against Braket's own gate matrices
by the tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qdispatch_braket.sdk import require
from qdispatch_core.errors import BadRequest

# Qiskit standard gate -> the Braket gate with the same matrix (and parameter order).
BRAKET_NAMES: dict[str, str] = {
    "id": "i",
    "x": "x",
    "y": "y",
    "z": "z",
    "h": "h",
    "s": "s",
    "sdg": "si",
    "t": "t",
    "tdg": "ti",
    "sx": "v",
    "sxdg": "vi",
    "rx": "rx",
    "ry": "ry",
    "rz": "rz",
    "p": "phaseshift",
    "u": "U",
    "r": "prx",
    "cx": "cnot",
    "cy": "cy",
    "cz": "cz",
    "csx": "cv",
    "cp": "cphaseshift",
    "swap": "swap",
    "iswap": "iswap",
    "ecr": "ecr",
    "rxx": "xx",
    "ryy": "yy",
    "rzz": "zz",
    "ccx": "ccnot",
    "cswap": "cswap",
}
# Qiskit writes these as OpenQASM 3 built-ins, which are Braket's names already.
BUILT_IN = frozenset({"u"})
# Instructions that mean nothing to a Braket device and are dropped before transpiling.
IGNORED = frozenset({"barrier", "delay"})
_INPUT = re.compile(r"^input float\[64\] (\w+);$", re.MULTILINE)
_QUBITS = re.compile(r"^qubit\[(\d+)\] (\w+);\n", re.MULTILINE)


def qiskit_basis(braket_gates: Sequence[str]) -> tuple[str, ...]:
    """The Qiskit gates a device with these Braket operations can run, in a stable order."""
    available = set(braket_gates)
    return tuple(sorted(q for q, b in BRAKET_NAMES.items() if b in available))


@dataclass(frozen=True, slots=True)
class Exported:
    source: str
    inputs: dict[str, str]  # circuit parameter name -> the program's input name
    register: str  # the qubit register's name in the source (physical programs have none)


def _renamed(circuit: Any, measured: Sequence[int]) -> Any:
    """A copy of `circuit` (gates only) with every gate replaced by an opaque gate of its
    Braket name, then wire `measured[i]` measured into bit i of a fresh register."""
    qiskit = require("qiskit")
    out = qiskit.QuantumCircuit(qiskit.QuantumRegister(circuit.num_qubits, "q"))
    for instruction in circuit.data:
        operation = instruction.operation
        if operation.name in IGNORED:
            continue
        name = BRAKET_NAMES.get(operation.name)
        if name is None:
            raise BadRequest(
                f"the operation {operation.name!r} has no Braket equivalent; Braket devices "
                "run unitary gates followed by final measurements"
            )
        qubits = [circuit.find_bit(q).index for q in instruction.qubits]
        if operation.name in BUILT_IN:
            out.append(operation, qubits)
            continue
        out.append(qiskit.circuit.Gate(name, operation.num_qubits, list(operation.params)), qubits)
    if measured:
        bits = qiskit.ClassicalRegister(len(measured), "b")
        out.add_register(bits)
        for i, wire in enumerate(measured):
            out.measure(wire, bits[i])
    return out


def export(
    circuit: Any, measured: Sequence[int] = (), *, global_phase: float | None = None
) -> Exported:
    """OpenQASM 3 for a circuit of Braket-translatable gates, measuring wire `measured[i]`
    into bit `b[i]`. `global_phase` (a number) adds a `gphase` statement: only state vectors
    can tell it apart.
    """
    qasm3 = require("qiskit.qasm3")
    renamed = _renamed(circuit, measured)
    names = sorted({b for q, b in BRAKET_NAMES.items() if q not in BUILT_IN})
    try:
        source = qasm3.dumps(renamed, includes=[], basis_gates=names, disable_constants=True)
    except qasm3.QASM3ExporterError as exc:
        raise BadRequest(f"the circuit cannot be written as OpenQASM 3: {exc.message}") from None
    declared = _INPUT.findall(source)
    parameters = [p.name for p in renamed.parameters]
    if len(declared) != len(parameters):
        raise BadRequest("the circuit's parameters could not be matched to program inputs")
    match = _QUBITS.search(source)
    register = match.group(2) if match else "q"
    if global_phase and match:
        source = (
            source[: match.end()] + f"gphase({float(global_phase)!r});\n" + source[match.end() :]
        )
    return Exported(source, dict(zip(parameters, declared, strict=True)), register)


def physical(exported: Exported, labels: Sequence[int]) -> str:
    """The same program on the device's qubits: wire w becomes `$labels[w]`, which also stops
    Braket from placing the qubits elsewhere."""
    source = _QUBITS.sub("", exported.source, count=1)
    pattern = rf"\b{re.escape(exported.register)}\[(\d+)\]"
    return re.sub(pattern, lambda m: f"${labels[int(m[1])]}", source)
