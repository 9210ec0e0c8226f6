"""The explicit status tables, and runtime errors turned into messages a user can act on."""

from __future__ import annotations

import typing

import pytest

from qdispatch_core.domain import JobStatus
from qdispatch_core.errors import ProviderError, UnknownProviderState
from qdispatch_ibm.errors import AUTH_HINT, describe, translated
from qdispatch_ibm.status import LOCAL_STATUS, REMOTE_STATUS, local_status, remote_status

S = JobStatus


def test_every_runtime_job_status_is_mapped():
    from qiskit_ibm_runtime.runtime_job_v2 import API_TO_JOB_STATUS
    from qiskit_ibm_runtime.runtime_job_v2 import JobStatus as RuntimeStatus

    literals = typing.get_args(RuntimeStatus)
    assert set(literals) <= set(REMOTE_STATUS)
    assert set(API_TO_JOB_STATUS) <= set(REMOTE_STATUS)  # the API's own words too
    assert [remote_status(s) for s in ("QUEUED", "RUNNING", "DONE", "ERROR", "CANCELLED")] == [
        S.QUEUED,
        S.RUNNING,
        S.DONE,
        S.ERROR,
        S.CANCELLED,
    ]
    assert remote_status("INITIALIZING") is S.QUEUED and remote_status("Completed") is S.DONE


def test_every_local_job_status_is_mapped():
    from qiskit.providers import JobStatus as QiskitStatus

    assert {member.name for member in QiskitStatus} == set(LOCAL_STATUS)
    assert local_status(QiskitStatus.RUNNING) is S.RUNNING
    assert local_status(QiskitStatus.DONE) is S.DONE
    assert local_status(QiskitStatus.VALIDATING) is S.QUEUED


def test_an_unknown_state_is_an_error_not_a_default():
    # The runtime passes states it does not know through, upper-cased.
    with pytest.raises(UnknownProviderState, match="'WEIRD'"):
        remote_status("WEIRD")
    with pytest.raises(UnknownProviderState):
        local_status("DONE")  # a string is not the enum


def test_runtime_errors_become_actionable_messages():
    from qiskit.providers.exceptions import QiskitBackendNotFoundError
    from qiskit_ibm_runtime.accounts.exceptions import InvalidAccountError
    from qiskit_ibm_runtime.exceptions import IBMRuntimeError, RuntimeJobNotFound

    assert "no such job" in describe(RuntimeJobNotFound("Job not found: x"), "looking up")
    assert AUTH_HINT in describe(InvalidAccountError("Unable to retrieve instances."), "x")
    assert "not available" in describe(QiskitBackendNotFoundError("no ibm_x"), "submitting")
    message = describe(IBMRuntimeError("Failed\n  to   do it"), "cancelling")
    assert message == "cancelling: Failed to do it"  # one line, QiskitError's quotes removed


def test_translated_scrubs_secrets_and_keeps_our_own_errors():
    with pytest.raises(ProviderError) as failure, translated("calling", ["s3cr3t-value"]):
        raise RuntimeError("bad request for key s3cr3t-value")
    assert "s3cr3t-value" not in str(failure.value) and "***" in str(failure.value)
    with pytest.raises(ProviderError, match=r"^ours$"), translated("calling"):
        raise ProviderError("ours")
