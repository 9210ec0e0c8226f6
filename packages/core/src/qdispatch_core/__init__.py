"""qdispatch's pure core: the run contract's models, ports, rules and use cases.

Imports nothing but the standard library and pydantic. Adapters and providers plug into the
ports; the composition root (the `qdispatch` package) wires them together.
"""

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
