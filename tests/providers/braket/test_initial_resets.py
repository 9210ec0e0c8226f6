"""A reset of a qubit nothing has touched yet is dropped (issue 20): Braket devices, which
refuse resets, run a program that starts with `reset q;`, with the same state as without."""

from __future__ import annotations

import numpy as np
import pytest

from qdispatch_core.domain import RunType
from qdispatch_core.errors import BadRequest
from tests.contract.backend_contract import make_spec
from tests.providers.braket.conftest import run_outputs

BODY = "h q[0];\ncx q[0], q[1];\nry(0.3) q[2];\n"
PLAIN = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[3] q;\n' + BODY
WITH_RESETS = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[3] q;\nreset q;\n' + BODY


def test_statevector_of_a_program_that_starts_with_resets(braket, qiskit_toolkit):
    plain = run_outputs(braket, qiskit_toolkit, [PLAIN], run_type=RunType.STATEVECTOR)[0]
    reset = run_outputs(braket, qiskit_toolkit, [WITH_RESETS], run_type=RunType.STATEVECTOR)[0]
    assert np.allclose(np.array(reset), np.array(plain), atol=1e-12)


def test_sampled_run_of_a_program_that_starts_with_resets(braket, qiskit_toolkit, seeded_braket):
    measured = WITH_RESETS.replace("qubit[3] q;", "qubit[3] q;\nbit[3] c;") + "c = measure q;\n"
    counts = run_outputs(braket, qiskit_toolkit, [measured], shots=400)[0]
    assert sum(counts.values()) == 400
    assert {k[1:] for k in counts} <= {"00", "11"}  # q0 and q1 are a Bell pair


def test_a_reset_after_an_operation_is_still_refused(braket, qiskit_toolkit):
    late = PLAIN + "reset q[0];\n"
    spec = make_spec(qiskit_toolkit, [late], "braket_local_sv")
    with pytest.raises(BadRequest, match="reset before its final measurements"):
        braket.validate(braket.get_device("braket_local_sv"), spec)
