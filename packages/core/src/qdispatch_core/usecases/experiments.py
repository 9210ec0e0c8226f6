from __future__ import annotations

from qdispatch_core.domain import Experiment, User
from qdispatch_core.errors import BadRequest, Conflict, NotFound
from qdispatch_core.ids import id_kind, new_id
from qdispatch_core.rules.suggest import did_you_mean
from qdispatch_core.rules.text import check_text
from qdispatch_core.usecases.services import Services


def create_experiment(
    services: Services, user: User, name: str, description: str = ""
) -> Experiment:
    """Create an experiment; a name the user already has returns that experiment.

    A name shaped like an experiment id (`exp_…`) is that id: it returns the experiment, or is a
    404; it never creates one named after a mistyped or truncated id.
    """
    limits = services.limits
    name = check_text(name, "name", max_length=limits.name_max, required=True)
    kind = id_kind(name)
    if kind == "experiment":
        return get_experiment(services, user, name)
    if kind is not None:
        raise BadRequest(
            f"name: {name[:40]!r} is shaped like a {kind} id; an experiment name cannot start "
            f"with {name.partition('_')[0]}_",
            field="name",
        )
    description = check_text(
        description, "description", max_length=limits.description_max, multiline=True
    )
    with services.repository.read() as uow:  # most calls name an experiment that exists
        existing = uow.experiments.by_name(user.id, name)
    if existing is not None:
        return existing
    with services.repository.begin() as uow:
        existing = uow.experiments.by_name(user.id, name)
        if existing is not None:
            return existing
        experiment = Experiment(new_id("exp"), user.id, name, description, services.clock())
        try:
            uow.experiments.add(experiment)
            uow.commit()
        except Conflict:  # created concurrently under the same name
            pass
        else:
            return experiment
    with services.repository.read() as uow:
        found = uow.experiments.by_name(user.id, name)
    assert found is not None
    return found


def get_experiment(services: Services, user: User, experiment_id: str) -> Experiment:
    """The caller's experiment; a 404 suggests the caller's own ids close to a mistyped or
    truncated one (never another user's)."""
    with services.repository.read() as uow:
        try:
            return uow.experiments.get(user.id, experiment_id)
        except NotFound as exc:
            mine = [e.id for e in uow.experiments.list(user.id)]
            hint = did_you_mean(experiment_id, mine)
            if not hint:
                raise
            raise NotFound(exc.message + hint, field=exc.field) from None


def list_experiments(services: Services, user: User) -> list[Experiment]:
    with services.repository.read() as uow:
        return uow.experiments.list(user.id)
