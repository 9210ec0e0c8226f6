// int/uint/float/angle/bool arithmetic, sized wrapping and casts, known before the run.
OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
uint[4] a = 13;
int[8] b = -3;
float x = 2.5;
angle[16] t = pi / 4;
bool flag = a > 10 && b < 0;
uint[3] w = 7;
w += 2;             // wraps to 1
int[4] s = 7;
s += 1;             // wraps to -8
if (flag) x q[0];
rz(float(a) * x / 10) q[1];
if (bool(a[2])) h q[2];   // bit 2 of 13 (0b1101) is 1
rx(t * 2) q[0];
ry(w * pi / 3) q[1];
rz(s / 4.0) q[2];
if (int[8](3.9) == 3 && popcount(bit[4](a)) == 3) { cx q[0], q[2]; }
