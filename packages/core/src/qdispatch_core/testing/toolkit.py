"""A tiny QASM reader for tests of the core: enough of OpenQASM 2 and 3 to know qubits, clbits,
parameters, gates and measurements, with line/column errors. The real toolkit is Qiskit's."""

from __future__ import annotations

import re

from qdispatch_core.domain import CircuitAnalytics, ParsedCircuit
from qdispatch_core.errors import BadRequest
from qdispatch_core.ports import CircuitToolkit
from qdispatch_core.rules.circuits import qasm_version
from qdispatch_core.rules.limits import CircuitLimits

_REG = re.compile(r"^(qreg|creg)\s+\w+\[(\d+)\]$|^(qubit|bit)(?:\[(\d+)\])?\s+\w+$")
_INPUT = re.compile(r"^input\s+(?:float|angle)(?:\[\d+\])?\s+(\w+)$")
_GATE = re.compile(r"^(\w+)(?:\(([^)]*)\))?\s+(.+)$")
_SKIP = ("OPENQASM", "include", "barrier")


class FakeCircuitToolkit(CircuitToolkit):
    def __init__(self) -> None:
        self.inspected: list[str] = []

    def inspect(self, qasm: str, limits: CircuitLimits | None = None) -> ParsedCircuit:
        self.inspected.append(qasm)
        version = qasm_version(qasm)
        if version not in (2, 3):
            raise BadRequest(
                "line 1, column 1: expected an 'OPENQASM 2.0;' or 'OPENQASM 3.0;' header"
            )
        qubits = clbits = 0
        params: set[str] = set()
        ops: dict[str, int] = {}
        one = two = 0
        for number, raw in enumerate(qasm.splitlines(), start=1):
            line = raw.split("//")[0].strip()
            if not line:
                continue
            if not line.endswith(";"):
                raise BadRequest(f"line {number}, column {len(raw.rstrip()) + 1}: expected ';'")
            stmt = line[:-1].strip()
            if stmt.startswith(_SKIP):
                continue
            if m := _REG.match(stmt):
                size = int(m.group(2) or m.group(4) or 1)
                if (m.group(1) or m.group(3)) in ("qreg", "qubit"):
                    qubits += size
                else:
                    clbits += size
                continue
            if m := _INPUT.match(stmt):
                params.add(m.group(1))
                continue
            if stmt.startswith("measure") or "= measure" in stmt:
                ops["measure"] = ops.get("measure", 0) + 1
                continue
            m = _GATE.match(stmt)
            if m is None:
                raise BadRequest(f"line {number}, column 1: cannot read {stmt!r}")
            name, args = m.group(1), m.group(3)
            ops[name] = ops.get(name, 0) + 1
            if args.count(",") >= 1:
                two += 1
            else:
                one += 1
        analytics = CircuitAnalytics(
            qubits=qubits,
            clbits=clbits,
            num_parameters=len(params),
            parameter_names=tuple(sorted(params)),
            depth=one + two,
            depth_2q=two,
            gates_1q=one,
            gates_2q=two,
            gates_total=one + two,
            operations=ops,
            has_measurements="measure" in ops,
        )
        return ParsedCircuit(version, analytics)

    def draw(self, qasm: str) -> str | None:
        """One line per statement: enough for a door to show that a drawing arrived."""
        self.inspect(qasm)
        statements = [raw.split("//")[0].strip() for raw in qasm.splitlines()]
        return "\n".join(f"| {s}" for s in statements if s and not s.startswith(_SKIP))
