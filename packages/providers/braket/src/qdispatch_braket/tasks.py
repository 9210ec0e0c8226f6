"""How a job's executables become Braket quantum tasks.

Executables come in batches: the parameter sets of one circuit in one measurement group share a
program. Sampled batches go into program sets where the device runs them (one task, one
per-task fee, up to the device's limits on executables and total shots); otherwise, and for
exact (shots=0) results and IonQ debiasing, each executable is its own task. The order of
executables across the tasks is always the plan's order, followed by any calibration
circuits, so results are read back by position alone: no layout needs to be remembered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qdispatch_core.rules.plan import JobPlan


@dataclass(frozen=True, slots=True)
class ProgramSetLimits:
    max_executables: int
    max_total_shots: int


@dataclass(frozen=True, slots=True)
class Batch:
    circuit: int | None  # None: a calibration circuit
    group: int | None
    first: int  # index of its first executable in the plan (or after it, for calibrations)
    size: int


@dataclass(frozen=True, slots=True)
class Slice:
    batch: int  # index into the batch list
    start: int  # first executable of the batch in this slice
    count: int


@dataclass(frozen=True, slots=True)
class TaskShape:
    slices: tuple[Slice, ...]
    program_set: bool

    @property
    def executables(self) -> int:
        return sum(s.count for s in self.slices)


def batches(plan: JobPlan, calibrations: int = 0) -> list[Batch]:
    """The plan's executables grouped by (circuit, group), then `calibrations` one-executable
    calibration batches."""
    out: list[Batch] = []
    for e in plan.executables:
        last = out[-1] if out else None
        if last is not None and (last.circuit, last.group) == (e.circuit, e.group):
            out[-1] = Batch(last.circuit, last.group, last.first, last.size + 1)
        else:
            out.append(Batch(e.circuit, e.group, e.index, 1))
    first = len(plan.executables)
    out += [Batch(None, None, first + k, 1) for k in range(calibrations)]
    return out


def _singles(sizes: Sequence[int]) -> list[TaskShape]:
    return [
        TaskShape((Slice(b, k, 1),), program_set=False)
        for b, size in enumerate(sizes)
        for k in range(size)
    ]


def plan_tasks(
    sizes: Sequence[int], shots: int, limits: ProgramSetLimits | None
) -> list[TaskShape]:
    """Tasks for batches of `sizes` executables each, `shots` per executable."""
    per_task = 0 if limits is None else min(limits.max_executables, limits.max_total_shots // shots)
    if per_task < 1:
        return _singles(sizes)
    tasks: list[TaskShape] = []
    current: list[Slice] = []
    used = 0
    for b, size in enumerate(sizes):
        start = 0
        while start < size:
            if used == per_task:
                tasks.append(TaskShape(tuple(current), program_set=True))
                current, used = [], 0
            count = min(size - start, per_task - used)
            current.append(Slice(b, start, count))
            start += count
            used += count
    if current:
        tasks.append(TaskShape(tuple(current), program_set=True))
    return tasks


def single_tasks(sizes: Sequence[int]) -> list[TaskShape]:
    return _singles(sizes)
