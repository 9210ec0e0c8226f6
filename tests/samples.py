"""QASM sources shared by tests. Written as real OpenQASM, so the Qiskit toolkit reads them too."""

BELL_QASM2 = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
creg c[2];
h q[0];
cx q[0], q[1];
measure q -> c;
"""

BELL_QASM3 = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
h q[0];
cx q[0], q[1];
c = measure q;
"""

BELL_NO_MEASURE = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
h q[0];
cx q[0], q[1];
"""

X_ON_QUBIT0_OF_3 = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[3];
x q[0];
measure q -> c;
"""

PARAM_2Q = """OPENQASM 3.0;
include "stdgates.inc";
input float theta;
input float phi;
qubit[2] q;
bit[2] c;
rx(theta) q[0];
ry(phi) q[1];
cx q[0], q[1];
c = measure q;
"""

# Binding order is by name, so theta10 comes before theta2.
PARAM_ORDER = """OPENQASM 3.0;
include "stdgates.inc";
input float theta2;
input float theta10;
qubit[1] q;
bit[1] c;
rx(theta2) q[0];
ry(theta10) q[0];
c[0] = measure q[0];
"""

BROKEN = """OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
h q[0]
cx q[0], q[1];
"""


def ghz(n: int, measure: bool = True) -> str:
    lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', f"qreg q[{n}];", f"creg c[{n}];", "h q[0];"]
    lines += [f"cx q[{i}], q[{i + 1}];" for i in range(n - 1)]
    if measure:
        lines.append("measure q -> c;")
    return "\n".join(lines) + "\n"
