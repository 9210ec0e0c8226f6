"""qdispatch's pure core: the run contract's models, ports, rules and use cases.

Imports nothing but the standard library and pydantic. Adapters and providers plug into the
ports; the composition root (the `qdispatch` package) wires them together.
"""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from qdispatch_core.schemas import JobResponse, JobView, RunRequest, RunResponse

__version__ = "0.1.0"

# The schemas are pydantic models, whose import costs more than the rest of the core together;
# they load on first use, so a door that only lists devices never pays for them.
_SCHEMAS = frozenset({"JobResponse", "JobView", "RunRequest", "RunResponse"})


def __getattr__(name: str) -> Any:
    if name in _SCHEMAS:
        from qdispatch_core import schemas

        return getattr(schemas, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
