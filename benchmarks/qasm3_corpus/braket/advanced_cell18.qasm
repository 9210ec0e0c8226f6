qubit[3] q;

gate majority a, b, c {
    // set c to the majority of {a, b, c}
    ctrl @ x c, b;
    ctrl @ x c, a;
    ctrl(2) @ x a, b, c;
}

x q[0:1];
// this should flip q[2] to 1
majority q[0], q[1], q[2];
