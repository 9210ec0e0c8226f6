// `output` declarations are the measured bits they name.
OPENQASM 3.0;
include "stdgates.inc";
output bit[2] result;
qubit[2] q;
h q[0];
cx q[0], q[1];
result = measure q;
