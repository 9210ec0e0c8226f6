qubit q;

pow(1/2) @ x q;     // sqrt x
inv @ v q;          // inv of (sqrt x)

#pragma braket result state_vector
