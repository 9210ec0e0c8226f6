// `input` parameters stay circuit parameters, also through expressions and subroutines.
OPENQASM 3.0;
include "stdgates.inc";
input float theta;
input angle phi;
qubit[2] q;
float half = theta / 2;
def turn(qubit r, float a) {
    rz(a) r;
}
rx(2 * theta) q[0];
turn(q[1], phi - half);
cx q[0], q[1];
