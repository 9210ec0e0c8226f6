// Subroutines returning classical values and measured bits.
OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
def twice(int k) -> int {
    return 2 * k;
}
def bell(qubit a, qubit b) {
    h a;
    cx a, b;
}
def mz(qubit x) -> bit {
    return measure x;
}
rx(twice(3) * 0.1) q[0];
bell(q[0], q[1]);
c[0] = mz(q[0]);
c[1] = mz(q[1]);
