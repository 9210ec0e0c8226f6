"""Use cases: small functions over the ports. Doors parse input, call one, render the output.

Each name loads its module on first use (`usecases.list_devices` imports only `devices`), so a
door that lists devices does not import the pydantic schemas the job use cases need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qdispatch_core.lazy import exports

if TYPE_CHECKING:
    from qdispatch_core.usecases.circuits import get_circuit, list_circuits, submit_circuit
    from qdispatch_core.usecases.devices import (
        get_device,
        get_device_in,
        list_devices,
        list_devices_in,
    )
    from qdispatch_core.usecases.experiments import (
        create_experiment,
        get_experiment,
        list_experiments,
    )
    from qdispatch_core.usecases.jobs import cancel_job, get_job, list_jobs
    from qdispatch_core.usecases.recompute import recompute_job, result_history
    from qdispatch_core.usecases.runs import submit_run
    from qdispatch_core.usecases.services import Limits, Services
    from qdispatch_core.usecases.users import (
        authenticate,
        create_user,
        credit_user,
        ensure_user,
        list_users,
    )

# public name -> the module (in this package) that defines it
_EXPORTS = {
    "Limits": "services",
    "Services": "services",
    "authenticate": "users",
    "cancel_job": "jobs",
    "create_experiment": "experiments",
    "create_user": "users",
    "credit_user": "users",
    "ensure_user": "users",
    "get_circuit": "circuits",
    "get_device": "devices",
    "get_device_in": "devices",
    "get_experiment": "experiments",
    "get_job": "jobs",
    "list_circuits": "circuits",
    "list_devices": "devices",
    "list_devices_in": "devices",
    "list_experiments": "experiments",
    "list_jobs": "jobs",
    "list_users": "users",
    "recompute_job": "recompute",
    "result_history": "recompute",
    "submit_circuit": "circuits",
    "submit_run": "runs",
}

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
    "get_device_in",
    "get_experiment",
    "get_job",
    "list_circuits",
    "list_devices",
    "list_devices_in",
    "list_experiments",
    "list_jobs",
    "list_users",
    "recompute_job",
    "result_history",
    "submit_circuit",
    "submit_run",
]

__getattr__, __dir__ = exports(__name__, _EXPORTS)
