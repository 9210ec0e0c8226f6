const int[8] n = 4;
input bit[n] x;

qubit q;

def parity(bit[n] cin) -> bit {
  bit c = false;
  for int[8] i in [0: n - 1] {
    c ^= cin[i];
  }
  return c;
}

if(parity(x)) {
    x q;
} else {
    i q;
}
