from __future__ import annotations

from collections.abc import Mapping

from qdispatch_core.domain import Device
from qdispatch_core.usecases.services import Services


def list_devices(
    services: Services,
    provider: str | None = None,
    credentials: Mapping[str, str] | None = None,
) -> list[Device]:
    """Every device of every installed provider (or of one), simulators first."""
    devices = services.backends.list_devices(credentials, provider)
    return sorted(devices, key=lambda d: (not d.simulator, d.provider, d.id))


def get_device(
    services: Services, device_id: str, credentials: Mapping[str, str] | None = None
) -> Device:
    """One device with every fact (404 for an unknown id)."""
    return services.backends.resolve(device_id, credentials)[1]
