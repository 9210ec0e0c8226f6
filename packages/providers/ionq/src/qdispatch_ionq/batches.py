"""Splitting a plan into IonQ jobs: consecutive executables, up to `limit` circuits per job.

One multi-circuit job (`ionq.multi-circuit.v1`) carries a sweep or a circuit's measurement
groups instead of one job per executable. The split is a pure function of the plan and the
limit, so a restarted worker finds the same executables behind each stored IonQ job id.
"""

from __future__ import annotations

from dataclasses import dataclass

from qdispatch_core.rules.plan import Executable, JobPlan


@dataclass(frozen=True, slots=True)
class Batch:
    index: int
    executables: tuple[Executable, ...]

    @property
    def multi(self) -> bool:
        """A single executable goes as a plain `ionq.circuit.v1` job."""
        return len(self.executables) > 1


def split(plan: JobPlan, limit: int) -> list[Batch]:
    if limit < 1:
        raise ValueError("a batch holds at least one circuit")
    executables = plan.executables
    return [
        Batch(i, tuple(executables[first : first + limit]))
        for i, first in enumerate(range(0, len(executables), limit))
    ]
