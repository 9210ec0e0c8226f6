// A loop inside a gate definition, a switch on a constant, aliases and concatenation.
OPENQASM 3.0;
include "stdgates.inc";
const int m = 3;
gate spread(t) a {
    for int i in [1:m] { rz(t / m) a; }
}
qubit[3] q;
let pair = q[0:1];
let ends = q[0] ++ q[2];
const int mode = 2;
switch (mode) {
    case 1 { x pair; }
    case 2, 3 { h pair; }
    default { y q; }
}
spread(0.9) q[2];
cx ends[0], ends[1];
