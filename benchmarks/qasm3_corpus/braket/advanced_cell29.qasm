qubit q;

x q;

#pragma braket noise bit_flip(.1) q
