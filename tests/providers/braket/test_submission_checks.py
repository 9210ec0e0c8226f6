"""A real run on a Braket simulator is refused at submission with the dry run's 400 (issue 20):
feed-forward was accepted by a real run and then ended Error. The refusal says why first."""

from __future__ import annotations

from tests.contract.backend_contract import REFUSAL_TABLE, submission


def test_a_real_run_with_feed_forward_is_refused_as_the_dry_run_is(braket, qiskit_toolkit):
    qasm, _ = REFUSAL_TABLE["feed-forward if"]
    answer = submission(braket, qiskit_toolkit, {})
    request = {"device_id": "braket_local_sv", "circuits_qasm": [qasm], "shots": 100}
    real = answer(request)
    assert real == answer({**request, "dry_run": True})
    assert real.startswith("400 circuits: circuit 1: the circuit cannot be transpiled"), real
    assert real.index("'if_else' is not supported") < real.index("the device's gates"), real
