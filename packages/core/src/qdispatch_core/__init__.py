"""qdispatch's pure core: the run contract's models, ports, rules and use cases.

Imports nothing but the standard library and pydantic. Adapters and providers plug into the
ports; the composition root (the `qdispatch` package) wires them together.

The names below load their module on first use (PEP 562), as in `ports` and `usecases`:
importing any submodule runs this file first, so eager imports here would load every domain
model (and the schemas, pydantic models whose import costs more than the rest of the core
together) into a door that only lists devices (`qdispatch devices` start-up, issue 17).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qdispatch_core.lazy import exports

if TYPE_CHECKING:
    from qdispatch_core.domain import (
        Circuit,
        CircuitAnalytics,
        Cost,
        Device,
        DeviceStatus,
        Experiment,
        Job,
        JobStatus,
        OptionSpec,
        Pricing,
        RunType,
        User,
    )
    from qdispatch_core.errors import (
        BadRequest,
        Conflict,
        NotFound,
        PaymentRequired,
        ProviderError,
        QDispatchError,
        Unauthorized,
    )
    from qdispatch_core.schemas import JobResponse, JobView, RunRequest, RunResponse

__version__ = "0.1.0"

_DOMAIN = (
    "Circuit",
    "CircuitAnalytics",
    "Cost",
    "Device",
    "DeviceStatus",
    "Experiment",
    "Job",
    "JobStatus",
    "OptionSpec",
    "Pricing",
    "RunType",
    "User",
)
_ERRORS = (
    "BadRequest",
    "Conflict",
    "NotFound",
    "PaymentRequired",
    "ProviderError",
    "QDispatchError",
    "Unauthorized",
)
_SCHEMAS = ("JobResponse", "JobView", "RunRequest", "RunResponse")

# public name -> the module (in this package) that defines it
_EXPORTS = {
    **dict.fromkeys(_DOMAIN, "domain"),
    **dict.fromkeys(_ERRORS, "errors"),
    **dict.fromkeys(_SCHEMAS, "schemas"),
}

__all__ = [
    "BadRequest",
    "Circuit",
    "CircuitAnalytics",
    "Conflict",
    "Cost",
    "Device",
    "DeviceStatus",
    "Experiment",
    "Job",
    "JobResponse",
    "JobStatus",
    "JobView",
    "NotFound",
    "OptionSpec",
    "PaymentRequired",
    "Pricing",
    "ProviderError",
    "QDispatchError",
    "RunRequest",
    "RunResponse",
    "RunType",
    "Unauthorized",
    "User",
]

__getattr__, __dir__ = exports(__name__, _EXPORTS)
