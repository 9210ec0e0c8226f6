"""Backends found through the `qdispatch.backends` entry-point group.

Listing names reads package metadata only, so it imports no vendor SDK. Loading a backend
imports its provider package (which keeps its SDK import lazy). A backend asked for by name
that is not installed fails loudly with the package to install; a broken plugin is logged and
skipped when merely listing.

Every backend factory is called as `factory(settings=...)` and every catalog as
`catalog(credentials, settings=...)` with the one BackendSettings the composition root built:
providers read none of qdispatch's environment variables themselves.

A provider may also publish its device list in the `qdispatch.catalogs` group: a function
`catalog(credentials, settings=...)` returning what its backend's `list_devices(credentials)`
would, built from committed tables, or None when only the backend can answer (an account's devices).
Listing devices and finding which provider owns a device id go through the catalogs, so
neither builds a backend nor imports another provider's modules.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeAlias, cast

from qdispatch_core.errors import BackendUnavailable, NotFound
from qdispatch_core.plugins import entry_points
from qdispatch_core.ports.backend_settings import BackendSettings

if TYPE_CHECKING:  # annotations: listing devices needs neither the port's dataclasses nor
    # the domain's other models (`qdispatch devices` start-up, issue 17)
    from qdispatch_core.domain import Device
    from qdispatch_core.ports.backend import Backend, Credentials

log = logging.getLogger(__name__)

GROUP = "qdispatch.backends"
CATALOG_GROUP = "qdispatch.catalogs"

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

Factory: TypeAlias = "Callable[[], Backend]"
Catalog: TypeAlias = "Callable[[Credentials | None], Sequence[Device] | None]"


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
        settings: BackendSettings | None = None,
    ) -> None:
        self.settings = settings or BackendSettings()
        self._factories: dict[str, Factory] = {}
        self._catalogs: dict[str, Catalog] = {}
        if use_entry_points:
            found = entry_points(GROUP, CATALOG_GROUP)  # one scan serves both groups
            for name, value in found[GROUP]:
                self._factories[name] = self._entry_point_factory(value, self.settings)
            for name, value in found[CATALOG_GROUP]:
                self._catalogs[name] = self._entry_point_catalog(value, self.settings)
        self._factories.update(factories or {})
        self._instances: dict[str, Backend] = {}
        self._failures: dict[str, BackendUnavailable] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _entry_point_factory(spec: str, settings: BackendSettings) -> Factory:
        def build() -> Backend:
            factory = cast("Callable[..., Backend]", load_object(spec))
            return factory(settings=settings)

        return build

    @staticmethod
    def _entry_point_catalog(spec: str, settings: BackendSettings) -> Catalog:
        def listing(credentials: Credentials | None) -> Sequence[Device] | None:
            catalog = cast("Callable[..., Sequence[Device] | None]", load_object(spec))
            return catalog(credentials, settings=settings)

        return listing

    def add(self, backend: Backend, name: str | None = None) -> None:
        """Register a ready backend instance (tests, and extra backends named in settings)."""
        name = name or backend.provider
        with self._lock:
            self._factories[name] = lambda: backend
            self._instances[name] = backend
            self._catalogs.pop(name, None)  # the instance itself answers from now on
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

    def list_devices(
        self, credentials: Credentials | None = None, provider: str | None = None
    ) -> list[Device]:
        devices: list[Device] = []
        for name in [provider] if provider else self.names():
            devices.extend(self._listing(name, credentials))
        return devices

    def _from_catalog(self, name: str, credentials: Credentials | None) -> Sequence[Device] | None:
        """The provider's devices from its catalog, while its backend is not built; None when
        it has no catalog or the catalog needs the backend."""
        catalog = self._catalogs.get(name)
        if catalog is None or name in self._instances:
            return None
        try:
            return catalog(credentials)
        except Exception as exc:  # a broken catalog must not break listing
            log.warning("provider %r could not list its catalog: %s", name, exc)
            return None

    def _listing(self, name: str, credentials: Credentials | None) -> Sequence[Device]:
        """One provider's devices: from its catalog while its backend is not built."""
        listed = self._from_catalog(name, credentials)
        if listed is not None:
            return listed
        backend = self._try_get(name)
        if backend is None:
            return []
        try:
            return backend.list_devices(credentials)
        except Exception as exc:
            log.warning("backend %r could not list devices: %s", backend.provider, exc)
            return []

    def provider_of(self, device_id: str, credentials: Credentials | None = None) -> str | None:
        """The provider that owns `device_id`: by its id's prefix, else by the catalogs (no
        backend is built); None when neither tells."""
        provider = provider_for_device(device_id)
        if provider is not None:
            return provider
        for name in sorted(self._catalogs):
            listed = self._from_catalog(name, credentials) if name in self._factories else None
            if listed is not None and any(d.id == device_id for d in listed):
                return name
        return None

    def resolve(
        self, device_id: str, credentials: Credentials | None = None
    ) -> tuple[Backend, Device]:
        """The backend and device for an id; NotFound (with the closest ids) for an unknown
        one. Only the owning provider's backend is built."""
        from qdispatch_core.rules.text import quote  # only refusals need it (start-up)

        provider = self.provider_of(device_id, credentials)
        if provider is not None and provider not in self._factories:
            package = PROVIDER_PACKAGES.get(provider, f"qdispatch-{provider}")
            raise BackendUnavailable(
                f"device_id: {quote(device_id)} belongs to provider {provider!r}, which is not "
                f"installed; install it with: pip install {package}",
                field="device_id",
            )
        if provider is not None:
            candidates = [provider]
        else:  # plugins without a catalog: ask each backend that has none
            candidates = [n for n in self.names() if n not in self._catalogs]
        for name in candidates:
            backend = self.get(name) if name == provider else self._try_get(name)
            if backend is None:
                continue
            try:
                return backend, backend.get_device(device_id, credentials)
            except NotFound:
                continue
        raise self.unknown_device(device_id)

    def unknown_device(self, device_id: str) -> NotFound:
        """The 404 for an id no provider has, naming the closest ids of the device list."""
        from qdispatch_core.rules.suggest import did_you_mean
        from qdispatch_core.rules.text import quote

        hint = did_you_mean(device_id, [d.id for d in self.list_devices()])
        return NotFound(
            f"device_id: unknown device {quote(device_id)}{hint + ' ' if hint else '; '}"
            "list_qpus_and_simulators lists every device id",
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
