"""What ran (issue 23): the `executed` entries of a job's record, the same for every provider."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def fold_executed(
    rows: Iterable[tuple[int, int, int | None, str, Mapping[str, Any]]],
) -> list[dict[str, Any]]:
    """One entry per run of consecutive executables of one circuit and measurement group that
    ran the same program. `rows`: (executable index, circuit, group, program digest, layout)
    in plan order; an entry reads {circuit, group, executables: [first, count], program,
    **layout}, the layout of its first executable."""
    executed: list[dict[str, Any]] = []
    for index, circuit, group, program, layout in rows:
        last = executed[-1] if executed else None
        if last is not None and (last["circuit"], last["group"], last["program"]) == (
            circuit,
            group,
            program,
        ):
            last["executables"][1] += 1  # the same program again: one entry
            continue
        executed.append(
            {
                "circuit": circuit,
                "group": group,
                "executables": [index, 1],
                "program": program,
                **layout,
            }
        )
    return executed
