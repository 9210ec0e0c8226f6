qubit q;

def sum(const array[int[8], #dim = 1] arr) -> int {
    int size = sizeof(arr);
    int x = 0;
    for int i in [0:size - 1] {
        x += arr[i];
    }
    return x;
}

array[int, 10] arr = {9, 3, 6, 2, 2, 4, 3, 1, 12, 7};
int s = sum(arr);
rx(s*π/4) q;
