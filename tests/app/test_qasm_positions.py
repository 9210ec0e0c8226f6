"""The library door keeps the contract's field path on a refused OpenQASM source, with the line
and column of the construct (issue 20, item 5; the CLI names the file instead, the MCP door
keeps the field path too: tests/adapters/cli/test_run.py, tests/adapters/mcp/test_run_tool.py)."""

from __future__ import annotations

import pytest

from qdispatch_core.errors import BadRequest
from tests.samples import BELL_QASM2

# cx q[i], q[i + 1] with i = 2 in a 2-qubit register: refused where q[i + 1] is written.
OUT_OF_RANGE = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\n'
    "for int i in [0:3] { cx q[i], q[i + 1]; }\n"
)
AT = "line 4, column 33: index 2 is out of range for a register of 2"


def test_a_run_names_the_source_by_its_place_in_the_request(aer_client):
    with pytest.raises(BadRequest) as err:
        aer_client.run([BELL_QASM2, OUT_OF_RANGE], "aer_simulator", shots=10, dry_run=True)
    assert err.value.field == "circuits_qasm[1]" and AT in err.value.message


def test_a_stored_circuit_names_the_field(aer_client):
    with pytest.raises(BadRequest) as err:
        aer_client.add_circuit(OUT_OF_RANGE, experiment="positions")
    assert err.value.field == "circuit_qasm" and AT in err.value.message
