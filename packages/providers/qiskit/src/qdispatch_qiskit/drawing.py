"""Circuit drawings for people: Qiskit's text drawer, as plain text."""

from __future__ import annotations

from qdispatch_qiskit.parsing import parse_qasm

# Wide enough for a browser's monospace block; Qiskit folds longer circuits into bands.
FOLD_COLUMNS = 100


def text_drawing(qasm: str, fold: int = FOLD_COLUMNS) -> str:
    """The circuit as Qiskit's text drawer shows it (BadRequest if the source does not parse)."""
    circuit = parse_qasm(qasm)
    return str(circuit.draw(output="text", fold=fold, idle_wires=False))
