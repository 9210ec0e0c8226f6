"""The closed vocabularies of the run contract."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    SUBMITTED = "Submitted"
    INITIALIZING = "Initializing"
    VALIDATING = "Validating"
    QUEUED = "Queued"
    RUNNING = "Running"
    DONE = "Done"
    ERROR = "Error"
    CANCELLED = "Cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({JobStatus.DONE, JobStatus.ERROR, JobStatus.CANCELLED})


class RunType(StrEnum):
    RUN = "Run"
    STATEVECTOR = "StatevectorRun"


class DeviceStatus(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    UNKNOWN = "unknown"
