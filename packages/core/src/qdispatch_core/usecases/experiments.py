from __future__ import annotations

from qdispatch_core.domain import Experiment, User
from qdispatch_core.errors import Conflict
from qdispatch_core.ids import new_id
from qdispatch_core.rules.text import check_text
from qdispatch_core.usecases.services import Services


def create_experiment(
    services: Services, user: User, name: str, description: str = ""
) -> Experiment:
    """Create an experiment; a name the user already has returns that experiment."""
    limits = services.limits
    name = check_text(name, "name", max_length=limits.name_max, required=True)
    description = check_text(description, "description", max_length=limits.description_max)
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
    with services.repository.read() as uow:
        return uow.experiments.get(user.id, experiment_id)


def list_experiments(services: Services, user: User) -> list[Experiment]:
    with services.repository.read() as uow:
        return uow.experiments.list(user.id)
