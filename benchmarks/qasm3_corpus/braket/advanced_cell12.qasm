qubit q;

U(π, 0, π) q;

#pragma braket result state_vector
