"""How a command gets its App and its user: one factory, which tests replace with fakes.

`qdispatch devices` needs only the backend registry, so it gets that alone (`open_backends`):
building the App imports the use cases' ports, rules and services, about a sixth of what
`devices` may spend starting (issue 17). Tests that replace `app_factory` need not know: while
it is replaced, `open_backends` hands out the replacement App's registry.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qdispatch import App
    from qdispatch_core.domain import User
    from qdispatch_core.registry import BackendRegistry


def default_app(db: str | None) -> App:
    from qdispatch import App, Settings
    from qdispatch.logs import configure_logging

    # Warnings on stderr, as before, now through the handler that masks live credentials (a
    # `run --wait` runs its job's worker in this process).
    configure_logging("WARNING")
    return App(Settings.from_env(database_url=db))


def default_backends(db: str | None) -> BackendRegistry:
    """The registry `default_app(db)` would hold, built from the same settings, without the
    App."""
    from qdispatch.logs import configure_logging
    from qdispatch.registry import build_registry
    from qdispatch.settings import Settings

    configure_logging("WARNING")  # a provider that fails to load is a warning on stderr
    return build_registry(Settings.from_env(database_url=db))


# Replaced by tests (monkeypatch) to run every command against an App built on the fakes.
app_factory: Callable[[str | None], App] = default_app
backends_factory: Callable[[str | None], BackendRegistry] = default_backends


@contextmanager
def open_app(db: str | None) -> Iterator[App]:
    app = app_factory(db)
    try:
        yield app
    finally:
        app.close()


@contextmanager
def open_backends(db: str | None) -> Iterator[BackendRegistry]:
    """The backend registry alone; the replacement App's while tests replace `app_factory`."""
    if app_factory is not default_app:
        with open_app(db) as app:
            yield app.backends
        return
    registry = backends_factory(db)
    try:
        yield registry
    finally:
        registry.close()


def current_user(app: App) -> User:
    """The local default user, or the owner of QDISPATCH_API_KEY when one is set (a shared
    PostgreSQL database with several people on it)."""
    key = os.environ.get("QDISPATCH_API_KEY")
    return app.user_for_key(key) if key else app.default_user
