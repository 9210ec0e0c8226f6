"""Submission checks = dry-run checks on Braket's cloud QPUs too (issue 20, item 4): the
contract's table of requests, on IQM Garnet and IonQ Forte as the stubbed Braket cloud
describes them (a QPU's gate set, width and connectivity, no feed-forward), answered the same
by a dry run and a real run. The local simulator is held to it by the contract suite."""

from __future__ import annotations

import pytest

from tests.contract.backend_contract import REFUSAL_TABLE, submission
from tests.providers.braket.test_cloud import (
    FORTE,
    GARNET,
    KEYS,
    S3,
    cloud,  # noqa: F401 (the fixture)
    garnet_capabilities,
    ionq_capabilities,
)

QPUS = {
    "aws_iqm_garnet": ("eu-north-1", GARNET, "Garnet", "IQM", garnet_capabilities),
    "aws_ionq_forte_1": ("us-east-1", FORTE, "Forte 1", "IonQ", ionq_capabilities),
}


# What neither QPU can run, so the table is not "accepted" twice everywhere.
REFUSED_BY_EVERY_QPU = {"feed-forward if", "while on a measured bit", "wider than the device"}


@pytest.mark.parametrize("device_id", sorted(QPUS))
@pytest.mark.parametrize("row", sorted(REFUSAL_TABLE))
def test_dry_run_and_real_run_refuse_the_same_requests_on_a_qpu(
    cloud,  # noqa: F811
    qiskit_toolkit,
    device_id,
    row,
):
    region, arn, name, vendor, capabilities = QPUS[device_id]
    cloud[region].device(arn, name, vendor, "QPU", capabilities())
    answer = submission(cloud.backend(), qiskit_toolkit, KEYS)
    qasm, extra = REFUSAL_TABLE[row]
    request = {
        "device_id": device_id,
        "circuits_qasm": [qasm],
        "shots": 100,
        "options": {**KEYS, **S3},
        **extra,
    }
    dry = answer({**request, "dry_run": True})
    real = answer(request)
    assert real == dry, f"{row}: a dry run answers {dry!r}, a real run {real!r}"
    assert cloud[region].created == []  # neither reached the provider
    if row in REFUSED_BY_EVERY_QPU:
        assert dry.startswith("400 "), dry
