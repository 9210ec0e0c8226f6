"""Experiments named by people: `--experiment` takes a name or an id."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qdispatch_core.domain import Experiment, User
    from qdispatch_core.usecases import Services

DEFAULT_EXPERIMENT = "default"
EXPERIMENT_ID = re.compile(r"exp_[0-9a-f]{32}")


def experiment(services: Services, user: User, ref: str, *, create: bool) -> Experiment:
    """The experiment with this id, or with this name (created when `create` and new).

    Something shaped like an id is only ever an id: a mistyped id is a 404, not a new
    experiment with an odd name.
    """
    from qdispatch_core import usecases
    from qdispatch_core.errors import NotFound

    if EXPERIMENT_ID.fullmatch(ref):
        return usecases.get_experiment(services, user, ref)
    if create:
        return usecases.create_experiment(services, user, ref)
    for found in usecases.list_experiments(services, user):
        if found.name == ref:
            return found
    raise NotFound(
        f"experiment: no experiment named {ref!r}; `qdispatch experiments list` shows them",
        field="experiment",
    )
