input float theta;
qubit q;
rx(theta) q;
