"""IBM job states onto qdispatch's, through explicit tables (run contract §2).

Two vocabularies reach us: a cloud `RuntimeJobV2.status()` is a plain string (the runtime maps
the API's `state.status` and passes anything it does not know through, upper-cased), and a local
job of the runtime's testing mode (or of Aer) reports a `qiskit.providers.JobStatus` enum. A
state in neither table is an error, never a silent default.
"""

from __future__ import annotations

from typing import Any

from qdispatch_core.domain import JobStatus
from qdispatch_core.rules.vendor_states import mapped

# RuntimeJobV2.status() strings, plus the API's own words the runtime translates (upper-cased),
# so a runtime that stops translating one of them still maps.
REMOTE_STATUS: dict[str, JobStatus] = {
    "INITIALIZING": JobStatus.QUEUED,  # the runtime's value before its first status request
    "QUEUED": JobStatus.QUEUED,
    "RUNNING": JobStatus.RUNNING,
    "DONE": JobStatus.DONE,
    "COMPLETED": JobStatus.DONE,
    "ERROR": JobStatus.ERROR,
    "FAILED": JobStatus.ERROR,
    "CANCELLED": JobStatus.CANCELLED,
}

# qiskit.providers.JobStatus member names (LocalRuntimeJob, Aer's PrimitiveJob).
LOCAL_STATUS: dict[str, JobStatus] = {
    "INITIALIZING": JobStatus.QUEUED,
    "QUEUED": JobStatus.QUEUED,
    "VALIDATING": JobStatus.QUEUED,
    "RUNNING": JobStatus.RUNNING,
    "DONE": JobStatus.DONE,
    "ERROR": JobStatus.ERROR,
    "CANCELLED": JobStatus.CANCELLED,
}


def remote_status(value: str) -> JobStatus:
    return mapped(
        REMOTE_STATUS,
        str(value).upper(),
        lambda: (
            f"IBM Quantum reported job state {value!r}, which qdispatch does not know; "
            "upgrade qdispatch-ibm or check the job on quantum.cloud.ibm.com"
        ),
    )


def local_status(value: Any) -> JobStatus:
    return mapped(
        LOCAL_STATUS,
        getattr(value, "name", None),
        lambda: f"the local simulator reported job state {value!r}",
    )
