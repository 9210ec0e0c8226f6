qubit[2] q;

bit[2] bitstring = "10";

for int i in [0:1] {
    if (bitstring[i]) {
        x q[i];
    }
    else {
        i q[i];
    }
}
