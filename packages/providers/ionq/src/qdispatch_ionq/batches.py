"""Splitting a plan into IonQ jobs: consecutive circuits, up to `limit` circuits per job.

One multi-circuit job (`ionq.multi-circuit.v1`) carries a sweep or a circuit's measurement
groups instead of one job per executable. When the job calibrates its readout, the two
calibration circuits follow the last executable, in whichever IonQ job that puts them. The
split is a pure function of the plan, the limit and whether the job calibrates, so a restarted
worker finds the same circuits behind each stored IonQ job id.
"""

from __future__ import annotations

from dataclasses import dataclass

from qdispatch_core.rules.plan import Executable, JobPlan


@dataclass(frozen=True, slots=True)
class Batch:
    index: int
    executables: tuple[Executable, ...]
    # after the executables: readout calibration circuits (True: every qubit prepared in 1)
    calibrations: tuple[bool, ...] = ()

    @property
    def size(self) -> int:
        return len(self.executables) + len(self.calibrations)

    @property
    def multi(self) -> bool:
        """A single circuit goes as a plain `ionq.circuit.v1` job."""
        return self.size > 1


def split(plan: JobPlan, limit: int, calibrations: tuple[bool, ...] = ()) -> list[Batch]:
    if limit < 1:
        raise ValueError("a batch holds at least one circuit")
    circuits: list[Executable | bool] = [*plan.executables, *calibrations]
    batches = []
    for i, first in enumerate(range(0, len(circuits), limit)):
        chunk = circuits[first : first + limit]
        batches.append(
            Batch(
                i,
                tuple(c for c in chunk if isinstance(c, Executable)),
                tuple(c for c in chunk if isinstance(c, bool)),
            )
        )
    return batches
