qubit[2] q;

h q[0];
cnot q[0], q[1];

#pragma braket result state_vector
