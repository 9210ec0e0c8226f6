"""Use cases: small functions over the ports. Doors parse input, call one, render the output."""

from qdispatch_core.usecases.circuits import get_circuit, list_circuits, submit_circuit
from qdispatch_core.usecases.devices import get_device, list_devices
from qdispatch_core.usecases.experiments import create_experiment, get_experiment, list_experiments
from qdispatch_core.usecases.jobs import cancel_job, get_job, list_jobs
from qdispatch_core.usecases.runs import submit_run
from qdispatch_core.usecases.services import Limits, Services
from qdispatch_core.usecases.users import (
    authenticate,
    create_user,
    credit_user,
    ensure_user,
    list_users,
)

__all__ = [
    "Limits",
    "Services",
    "authenticate",
    "cancel_job",
    "create_experiment",
    "create_user",
    "credit_user",
    "ensure_user",
    "get_circuit",
    "get_device",
    "get_experiment",
    "get_job",
    "list_circuits",
    "list_devices",
    "list_experiments",
    "list_jobs",
    "list_users",
    "submit_circuit",
    "submit_run",
]
