"""Against the real Amazon Braket service: skipped unless QDISPATCH_LIVE_BRAKET=1 and AWS
credentials are configured (environment or profile). Runs one Bell circuit on SV1: three
simulated seconds, about $0.004. Optional: QDISPATCH_LIVE_BRAKET_BUCKET names the S3 bucket
(default: the SDK's amazon-braket-<region>-<account>)."""

from __future__ import annotations

import os
import time

import pytest

from qdispatch_braket import BraketBackend
from qdispatch_braket.session import chain_has_credentials
from qdispatch_core.domain import JobStatus
from tests.contract.backend_contract import make_spec
from tests.samples import BELL_QASM2

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        os.environ.get("QDISPATCH_LIVE_BRAKET") != "1",
        reason="set QDISPATCH_LIVE_BRAKET=1 (and AWS credentials) to run against Amazon Braket",
    ),
]


def test_a_bell_circuit_on_sv1(qiskit_toolkit):
    if not chain_has_credentials():
        pytest.skip("no AWS credentials in the environment or profile")
    backend = BraketBackend()
    device = backend.get_device("aws_sv1")
    options = {}
    if os.environ.get("QDISPATCH_LIVE_BRAKET_BUCKET"):
        options["s3_bucket"] = os.environ["QDISPATCH_LIVE_BRAKET_BUCKET"]
    spec = make_spec(qiskit_toolkit, [BELL_QASM2], "aws_sv1", shots=200, options=options)
    ids = backend.submit(device, spec, {})
    deadline = time.monotonic() + 600
    state = backend.poll(device, ids, {})
    while not state.status.is_final:
        assert time.monotonic() < deadline, "SV1 did not finish in 10 minutes"
        time.sleep(2)
        state = backend.poll(device, ids, {})
    assert state.status is JobStatus.DONE, state.message
    execution = backend.fetch(device, spec, ids, {})
    (counts,) = execution.outputs
    assert set(counts) == {"00", "11"} and sum(counts.values()) == 200
    assert execution.cost is None or execution.cost.usd > 0
