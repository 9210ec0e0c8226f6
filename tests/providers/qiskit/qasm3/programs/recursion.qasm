// A recursive subroutine whose depth is known before the run.
OPENQASM 3.0;
include "stdgates.inc";
qubit[4] q;
def ladder(qubit[4] r, int depth) {
    if (depth > 0) {
        cx r[depth - 1], r[depth];
        ladder(r, depth - 1);
    }
}
h q[0];
ladder(q, 3);
