"""Splitting a plan into Aer calls: one per circuit and measurement group, covering every
parameter set. Executables are ordered circuit → group → parameter set, so each batch is a
contiguous run of them, and progress can count executables as batches finish."""

from __future__ import annotations

from dataclasses import dataclass

from qdispatch_core.rules.plan import JobPlan


@dataclass(frozen=True, slots=True)
class Batch:
    index: int
    circuit: int
    group: int | None
    first: int  # index of its first executable
    size: int  # executables (= parameter sets of the circuit)


def split(plan: JobPlan) -> list[Batch]:
    batches: list[Batch] = []
    for e in plan.executables:
        last = batches[-1] if batches else None
        if last is not None and (last.circuit, last.group) == (e.circuit, e.group):
            batches[-1] = Batch(last.index, last.circuit, last.group, last.first, last.size + 1)
        else:
            batches.append(Batch(len(batches), e.circuit, e.group, e.index, 1))
    return batches
