from __future__ import annotations

from qdispatch_core.domain import Experiment, User
from qdispatch_core.errors import BadRequest, Conflict
from qdispatch_core.ids import new_id
from qdispatch_core.usecases.services import Services


def create_experiment(
    services: Services, user: User, name: str, description: str = ""
) -> Experiment:
    """Create an experiment; a name the user already has returns that experiment."""
    name = (name or "").strip()
    limits = services.limits
    if not name or len(name) > limits.name_max:
        raise BadRequest(f"name: expected 1..{limits.name_max} characters", field="name")
    if len(description) > limits.description_max:
        raise BadRequest(
            f"description: expected at most {limits.description_max} characters",
            field="description",
        )
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
    with services.repository.begin() as uow:
        found = uow.experiments.by_name(user.id, name)
    assert found is not None
    return found


def get_experiment(services: Services, user: User, experiment_id: str) -> Experiment:
    with services.repository.begin() as uow:
        return uow.experiments.get(user.id, experiment_id)


def list_experiments(services: Services, user: User) -> list[Experiment]:
    with services.repository.begin() as uow:
        return uow.experiments.list(user.id)
