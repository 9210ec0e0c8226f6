"""IonQ's job statuses (API v0.4, as cirq_ionq.Job lists them) mapped onto ours, explicitly.

A status missing from this table is an error, never a silent default: cirq_ionq itself treats an
unknown status as still running and would poll it until its timeout.
"""

from __future__ import annotations

from qdispatch_core.domain import JobStatus
from qdispatch_core.rules.vendor_states import mapped

IONQ_STATUS: dict[str, JobStatus] = {
    "ready": JobStatus.QUEUED,  # accepted, not yet queued for a backend
    "submitted": JobStatus.QUEUED,  # waiting in the backend's queue
    "running": JobStatus.RUNNING,
    "completed": JobStatus.DONE,
    "failed": JobStatus.ERROR,
    "canceled": JobStatus.CANCELLED,
    # Deleted jobs keep only their id; their results are gone, which is an error for the run.
    "deleted": JobStatus.ERROR,
}


def map_status(status: object) -> JobStatus:
    return mapped(
        IONQ_STATUS,
        status,
        lambda: (
            f"IonQ reported job status {status!r}, which qdispatch does not know "
            f"(known: {', '.join(IONQ_STATUS)}); upgrade qdispatch-ionq"
        ),
    )
