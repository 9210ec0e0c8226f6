// A subroutine called inside a loop whose bounds are constants.
OPENQASM 3.0;
include "stdgates.inc";
const uint layers = 2;
const uint width = 4;
qubit[width] q;
def entangle(qubit[2] pair, float theta) {
    ry(theta) pair[0];
    cz pair[0], pair[1];
}
for uint layer in [1:layers] {
    for uint i in [0:width - 2] {
        entangle(q[i:i + 1], pi / (layer * (i + 1)));
    }
}
