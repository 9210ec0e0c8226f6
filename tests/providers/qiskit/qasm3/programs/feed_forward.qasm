// Conditions on measured bits stay control flow: bit == int, register casts, !=.
OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
bit c0;
bit[2] c;
h q[0];
c0 = measure q[0];
if (c0 == 1) x q[1];
c[0] = measure q[1];
if (int[2](c) == 1) { z q[2]; }
if (c != 0) { h q[2]; } else { s q[2]; }
