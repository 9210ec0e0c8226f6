"""Backends found through the `qdispatch.backends` entry-point group.

Listing names reads package metadata only, so it imports no vendor SDK. Loading a backend
imports its provider package (which keeps its SDK import lazy). A backend asked for by name
that is not installed fails loudly with the package to install; a broken plugin is logged and
skipped when merely listing.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import entry_points

from qdispatch_core.domain import Device
from qdispatch_core.errors import BackendUnavailable, NotFound
from qdispatch_core.ports.backend import Backend, Credentials
from qdispatch_core.rules.text import quote

log = logging.getLogger(__name__)

GROUP = "qdispatch.backends"

# Which package provides which provider, and which device ids belong to it: enough to tell a
# user what to install without importing anything.
PROVIDER_PACKAGES = {
    "aer": "qdispatch-aer",
    "ibm": "qdispatch-ibm",
    "braket": "qdispatch-braket",
    "ionq": "qdispatch-ionq",
}
DEVICE_PREFIXES = (
    ("aer_", "aer"),
    ("fake_", "ibm"),
    ("ibm_", "ibm"),
    ("braket_", "braket"),
    ("aws_", "braket"),
    ("ionq_", "ionq"),
)

Factory = Callable[[], Backend]


def load_object(spec: str) -> object:
    """Import `module:attribute`."""
    module_name, _, attribute = spec.partition(":")
    obj: object = importlib.import_module(module_name)
    for part in attribute.split(".") if attribute else []:
        obj = getattr(obj, part)
    return obj


def provider_for_device(device_id: str) -> str | None:
    return next((p for prefix, p in DEVICE_PREFIXES if device_id.startswith(prefix)), None)


class BackendRegistry:
    def __init__(
        self,
        factories: Mapping[str, Factory] | None = None,
        *,
        use_entry_points: bool = True,
    ) -> None:
        self._factories: dict[str, Factory] = {}
        if use_entry_points:
            for ep in entry_points(group=GROUP):
                self._factories[ep.name] = self._entry_point_factory(ep.value)
        self._factories.update(factories or {})
        self._instances: dict[str, Backend] = {}
        self._failures: dict[str, BackendUnavailable] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _entry_point_factory(spec: str) -> Factory:
        def build() -> Backend:
            factory = load_object(spec)
            return factory()  # type: ignore[operator]

        return build

    def add(self, backend: Backend, name: str | None = None) -> None:
        """Register a ready backend instance (tests, and extra backends named in settings)."""
        name = name or backend.provider
        with self._lock:
            self._factories[name] = lambda: backend
            self._instances[name] = backend
            self._failures.pop(name, None)

    def names(self) -> list[str]:
        return sorted(self._factories)

    def get(self, name: str) -> Backend:
        with self._lock:
            if name in self._instances:
                return self._instances[name]
            if name in self._failures:  # a plugin that failed once fails the same way again
                raise self._failures[name]
            factory = self._factories.get(name)
            package = PROVIDER_PACKAGES.get(name, f"qdispatch-{name}")
            if factory is None:
                raise BackendUnavailable(
                    f"provider {name!r} is not installed; install it with: pip install {package}",
                    field="device_id",
                )
            try:
                backend = factory()
            except Exception as exc:
                failure = BackendUnavailable(
                    f"provider {name!r} failed to load ({type(exc).__name__}: {exc}); "
                    f"reinstall it with: pip install {package}",
                    field="device_id",
                )
                self._failures[name] = failure
                log.warning("skipping backend %r: %s", name, failure.message)
                raise failure from exc
            self._instances[name] = backend
            return backend

    def loaded(self, only: Iterable[str] | None = None) -> list[Backend]:
        """Every backend that loads; broken ones are logged and skipped."""
        backends = []
        for name in only if only is not None else self.names():
            try:
                backends.append(self.get(name))
            except BackendUnavailable:  # a broken plugin must not break listing; logged once
                continue
        return backends

    def list_devices(
        self, credentials: Credentials | None = None, provider: str | None = None
    ) -> list[Device]:
        devices: list[Device] = []
        for backend in self.loaded([provider] if provider else None):
            try:
                devices.extend(backend.list_devices(credentials))
            except Exception as exc:
                log.warning("backend %r could not list devices: %s", backend.provider, exc)
        return devices

    def resolve(
        self, device_id: str, credentials: Credentials | None = None
    ) -> tuple[Backend, Device]:
        """The backend and device for an id; NotFound for an unknown id."""
        provider = provider_for_device(device_id)
        if provider is not None and provider not in self._factories:
            package = PROVIDER_PACKAGES.get(provider, f"qdispatch-{provider}")
            raise BackendUnavailable(
                f"device_id: {quote(device_id)} belongs to provider {provider!r}, which is not "
                f"installed; install it with: pip install {package}",
                field="device_id",
            )
        ordered = [provider] if provider else []
        ordered += [n for n in self.names() if n != provider]
        for name in ordered:
            backend = self.get(name) if name == provider else self._try_get(name)
            if backend is None:
                continue
            try:
                return backend, backend.get_device(device_id, credentials)
            except NotFound:
                continue
        raise NotFound(
            f"device_id: unknown device {quote(device_id)}; call list_qpus_and_simulators "
            "(or `qdispatch devices`) for the ids",
            field="device_id",
        )

    def _try_get(self, name: str) -> Backend | None:
        try:
            return self.get(name)
        except BackendUnavailable:
            return None

    def close(self) -> None:
        for backend in list(self._instances.values()):
            try:
                backend.close()
            except Exception as exc:  # closing must not mask the caller's own error
                log.warning("closing backend %r failed: %s", backend.provider, exc)
        self._instances.clear()
