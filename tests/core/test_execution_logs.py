"""What the worker logs about a job: useful tracebacks, never the job's credentials (§6)."""

from __future__ import annotations

import logging
import traceback
from decimal import Decimal

import pytest

from qdispatch_core.testing import FakeBackend
from qdispatch_core.usecases import cancel_job
from qdispatch_core.usecases.execution import JobRunner, WorkerConfig
from qdispatch_core.usecases.users import balance
from tests.conftest import run_all
from tests.core.test_execution import TOKEN, job_of, remote, submit
from tests.core.test_execution import setup as make_setup


class SdkSurprise(RuntimeError):
    """An SDK error that is neither a ProviderError nor a QDispatchError."""


def leaky_error() -> SdkSurprise:
    """An error that repeats the credential in its message and in the error it chains."""
    try:
        raise ValueError(f"401 Unauthorized: header 'Authorization: Bearer {TOKEN}'")
    except ValueError as cause:
        try:
            raise SdkSurprise(f"request with token={TOKEN} failed") from cause
        except SdkSurprise as exc:
            return exc


class Leaky(FakeBackend):
    def __init__(self, where: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.where = where

    def submit(self, device, spec, credentials):
        if self.where == "submit":
            raise leaky_error()
        return super().submit(device, spec, credentials)

    def fetch(self, device, spec, job_ids, credentials):
        if self.where == "fetch":
            raise leaky_error()
        return super().fetch(device, spec, job_ids, credentials)


def rendered(records: list[logging.LogRecord]) -> list[str]:
    """Every way a handler could write these records."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    texts = []
    for record in records:
        texts += [str(record.msg), repr(record.args), record.getMessage(), formatter.format(record)]
        texts.append(record.exc_text or "")
        if record.exc_info and record.exc_info[1] is not None:
            texts.append("".join(traceback.format_exception(record.exc_info[1])))
    return texts


@pytest.mark.parametrize("where", ["submit", "fetch"])
def test_an_sdk_error_repeating_the_credential_is_logged_scrubbed(where, caplog):
    caplog.set_level(logging.DEBUG)
    backend = Leaky(where)
    services, user, experiment, _ = make_setup(backend)
    job_id = submit(services, user, experiment, shots=1000, **remote())
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))

    job = job_of(services, user, job_id)
    assert job.status == "Error"
    assert "internal error (SdkSurprise)" in job.error and "token=***" in job.error
    assert TOKEN not in job.error and TOKEN not in " ".join(job.logs)
    assert balance(services, user) == Decimal(100)

    texts = rendered(caplog.records)
    assert caplog.records and not [t for t in texts if TOKEN in t]
    assert TOKEN not in caplog.text
    failed = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failed) == 1 and job_id in failed[0].getMessage()
    # Still a traceback worth reading: the type, the chained cause and the frame that raised.
    message = failed[0].getMessage()
    assert "Traceback (most recent call last)" in message
    assert "SdkSurprise: request with token=*** failed" in message
    assert "ValueError: 401 Unauthorized" in message and "Bearer ***" in message
    assert f"in {where}" in message


def test_an_error_while_recording_the_failure_does_not_carry_the_credential():
    services, user, experiment, _ = make_setup(Leaky("submit"))
    submit(services, user, experiment, **remote())
    runner = JobRunner(services, WorkerConfig("w"), sleep=lambda s: None)

    def database_down(job_id, message):
        raise ConnectionError("database unavailable")

    runner._fail = database_down
    with pytest.raises(ConnectionError) as raised:
        runner.run(runner.claim_next())
    # The worker loop logs this with its traceback, chained exceptions included.
    assert TOKEN not in "".join(traceback.format_exception(raised.value))


def test_a_failed_provider_cancel_is_logged_scrubbed(caplog):
    caplog.set_level(logging.DEBUG)

    class CancelledWhileSubmitting(FakeBackend):
        def submit(self, device, spec, credentials):
            ids = super().submit(device, spec, credentials)
            cancel_job(services, user, job_id)
            return ids

        def cancel(self, device, job_ids, credentials):
            raise SdkSurprise(f"cancel rejected for token {TOKEN}")

    services, user, experiment, _ = make_setup(CancelledWhileSubmitting())
    job_id = submit(services, user, experiment, **remote())
    run_all(JobRunner(services, WorkerConfig("w"), sleep=lambda s: None))
    assert job_of(services, user, job_id).status == "Cancelled"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings and "cancel rejected for token ***" in warnings[0].getMessage()
    assert not [t for t in rendered(caplog.records) if TOKEN in t]
