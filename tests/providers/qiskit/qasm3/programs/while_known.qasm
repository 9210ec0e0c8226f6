// A while loop whose condition is known at every step, with break and continue.
OPENQASM 3.0;
include "stdgates.inc";
qubit[4] q;
int k = 0;
while (k < 10) {
    k += 1;
    if (k == 2) continue;
    if (k > 4) break;
    h q[k - 1];
}
