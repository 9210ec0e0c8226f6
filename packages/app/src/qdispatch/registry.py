"""The backend registry built from settings: the App's, and all that `qdispatch devices` needs.

Kept apart from the composition root (`bootstrap`), whose imports (the ports, the use cases'
limits and services, the domain) cost `qdispatch devices` about a sixth of its start-up
(issue 17).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qdispatch_core.registry import BackendRegistry, load_object

if TYPE_CHECKING:
    from qdispatch.settings import Settings


def build_registry(settings: Settings) -> BackendRegistry:
    """The installed providers' backends (entry points), with the settings' extra backends."""
    registry = BackendRegistry(settings=settings.backend_settings())
    for spec in settings.extra_backends:
        backend = load_object(spec)
        registry.add(backend() if callable(backend) else backend)  # type: ignore[arg-type]
    return registry
