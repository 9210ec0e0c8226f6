// Loops over a set, a descending range with a step, and index arithmetic.
OPENQASM 3.0;
include "stdgates.inc";
const uint n = 4;
qubit[n] q;
for uint i in {0, 2, 3} {
    h q[i];
}
for int i in [3:-2:0] {
    rz(0.1 * (i + 1)) q[i];
}
for int i in [0:n - 1] {
    cx q[i], q[(i + 1) % n];
}
