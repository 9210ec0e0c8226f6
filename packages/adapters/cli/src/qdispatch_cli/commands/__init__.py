"""One module per noun. Bodies parse input, call one use case, render: a few lines each."""
