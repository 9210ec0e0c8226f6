qubit q;

int p1 = floor(log(sin(20)));
float p2 = 4 * (π/3);

pow(p1) @ pow(p2) @ x q;

#pragma braket result state_vector
