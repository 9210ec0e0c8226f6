"""Listing devices and telling everything about one.

Each use case has a form over the backend registry alone (`…_in`): `qdispatch devices` builds
the registry without the rest of the services, whose ports and rules it would otherwise import
(its start-up, issue 17).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from qdispatch_core.errors import BadRequest

if TYPE_CHECKING:
    from qdispatch_core.domain import Device
    from qdispatch_core.registry import BackendRegistry
    from qdispatch_core.usecases.services import Services


def list_devices(
    services: Services,
    provider: str | None = None,
    credentials: Mapping[str, str] | None = None,
    *,
    simulator: bool | None = None,
    min_qubits: int | None = None,
    local: bool | None = None,
) -> list[Device]:
    """Every device of every installed provider (or of one), simulators first; each filter
    given narrows the list (`simulator`/`local` True: only those, False: only the others)."""
    return list_devices_in(
        services.backends,
        provider,
        credentials,
        simulator=simulator,
        min_qubits=min_qubits,
        local=local,
    )


def list_devices_in(
    backends: BackendRegistry,
    provider: str | None = None,
    credentials: Mapping[str, str] | None = None,
    *,
    simulator: bool | None = None,
    min_qubits: int | None = None,
    local: bool | None = None,
) -> list[Device]:
    """`list_devices` over a backend registry."""
    for name, flag in (("simulator", simulator), ("local", local)):
        if flag is not None and not isinstance(flag, bool):
            raise BadRequest(f"{name}: expected true or false", field=name)
    if min_qubits is not None and (isinstance(min_qubits, bool) or not isinstance(min_qubits, int)):
        raise BadRequest("min_qubits: expected a whole number", field="min_qubits")
    devices = [
        d
        for d in backends.list_devices(credentials, provider)
        if (simulator is None or d.simulator == simulator)
        and (local is None or d.local == local)
        and (min_qubits is None or d.qubits >= min_qubits)
    ]
    return sorted(devices, key=lambda d: (not d.simulator, d.provider, d.id))


def get_device(
    services: Services, device_id: str, credentials: Mapping[str, str] | None = None
) -> Device:
    """One device with every fact (404 for an unknown id)."""
    return get_device_in(services.backends, device_id, credentials)


def get_device_in(
    backends: BackendRegistry, device_id: str, credentials: Mapping[str, str] | None = None
) -> Device:
    """`get_device` over a backend registry."""
    return backends.resolve(device_id, credentials)[1]
