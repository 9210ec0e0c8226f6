"""A reset of a qubit nothing has touched yet is dropped (issue 20): `reset q;` at the start,
as most OpenQASM 3 programs begin, still gives a state vector, the same as without it."""

from __future__ import annotations

import numpy as np
import pytest

from qdispatch_core.domain import RunType
from qdispatch_core.errors import BadRequest
from tests.contract.backend_contract import make_spec
from tests.providers.aer.conftest import run_outputs

BODY = "h q[0];\ncx q[0], q[1];\nry(0.3) q[2];\n"
PLAIN = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[3] q;\n' + BODY
WITH_RESETS = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[3] q;\nreset q;\nbarrier q;\n' + BODY
QASM2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\nreset q[1];\n' + BODY


@pytest.mark.parametrize("source", [WITH_RESETS, QASM2])
def test_statevector_runs_ignore_resets_of_fresh_qubits(aer, qiskit_toolkit, source):
    plain = run_outputs(aer, qiskit_toolkit, [PLAIN], run_type=RunType.STATEVECTOR)[0]
    reset = run_outputs(aer, qiskit_toolkit, [source], run_type=RunType.STATEVECTOR)[0]
    assert np.allclose(np.array(reset), np.array(plain), atol=1e-12)


def test_a_reset_after_an_operation_is_still_refused(aer, qiskit_toolkit):
    late = PLAIN + "reset q[0];\n"
    spec = make_spec(qiskit_toolkit, [late], "aer_simulator", run_type=RunType.STATEVECTOR)
    with pytest.raises(BadRequest, match="reset before its final measurements"):
        aer.validate(aer.get_device("aer_simulator"), spec)
