"""The public corpus of benchmarks/qasm3_corpus/ (the language's own examples and Amazon
Braket's; benchmarks/qasm3_corpus.py counts it): the programs qdispatch reads stay read, and
every program it refuses is refused at a line and column (issue 20, items 1 and 5)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules.limits import CircuitLimits
from qdispatch_qiskit.parsing import parse_qasm_checked

CORPUS = Path(__file__).resolve().parents[4] / "benchmarks" / "qasm3_corpus"
PROGRAMS = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.glob("*/*.qasm"))

# The 21 programs read since issue 20 (3 were read before it: qft, qpt and rb).
READ = {
    *(f"openqasm/{n}.qasm" for n in ("adder", "inverseqft1", "inverseqft2", "qec", "qft")),
    *(f"openqasm/{n}.qasm" for n in ("qpt", "rb", "rus", "teleport", "varteleport")),
    "braket/bell.qasm",
    *(f"braket/advanced_cell{n:02d}.qasm" for n in (5, 7, 9, 10, 12, 14, 16, 18, 20, 22)),
}
LOCATED = re.compile(r"line \d+, column \d+")


def test_the_corpus_is_all_there():
    assert len(PROGRAMS) == 37 and set(PROGRAMS) >= READ


@pytest.mark.parametrize("program", PROGRAMS)
def test_a_program_is_read_or_refused_at_a_line_and_column(program):
    source = (CORPUS / program).read_text()
    if program in READ:
        circuit = parse_qasm_checked(source, CircuitLimits()).circuit
        assert circuit.num_qubits > 0
        return
    with pytest.raises(BadRequest) as refused:
        parse_qasm_checked(source, CircuitLimits())
    assert LOCATED.search(refused.value.message), refused.value.message
