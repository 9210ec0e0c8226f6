qubit q;

int p1 = 2;
float p2 = .25;

pow(p1) @ pow(p2) @ x q;    // sqrt x
inv @ v q;                  // inv of (sqrt x)

#pragma braket result state_vector
