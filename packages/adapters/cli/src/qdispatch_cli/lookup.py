"""Experiments named by people: `--experiment` takes a name or an id; job statuses by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qdispatch_core.domain import Experiment, JobStatus, User
    from qdispatch_core.usecases import Services

DEFAULT_EXPERIMENT = "default"


def experiment(services: Services, user: User, ref: str, *, create: bool) -> Experiment:
    """The experiment with this id, or with this name (created when `create` and new).

    Anything shaped like an id (`exp_…`) is only ever an id: a mistyped or truncated id is a
    404 (with the closest of your ids), never a new experiment with an odd name.
    """
    from qdispatch_core import usecases
    from qdispatch_core.errors import NotFound
    from qdispatch_core.ids import id_kind
    from qdispatch_core.rules.suggest import did_you_mean

    if id_kind(ref) == "experiment":
        return usecases.get_experiment(services, user, ref)
    if create:
        return usecases.create_experiment(services, user, ref)
    mine = usecases.list_experiments(services, user)
    for found in mine:
        if found.name == ref:
            return found
    hint = did_you_mean(ref, [e.name for e in mine])
    raise NotFound(
        f"experiment: no experiment named {ref!r}{hint + ' ' if hint else '; '}"
        "`qdispatch experiments list` shows them",
        field="experiment",
    )


def status(name: str) -> JobStatus | str:
    """A job status typed in any case (`done`, `ERROR`); anything else goes to the core as
    typed, whose 400 lists the statuses and the closest one."""
    from qdispatch_core.domain import JobStatus

    wanted = name.strip().lower()
    return next((s for s in JobStatus if s.value.lower() == wanted), name)
