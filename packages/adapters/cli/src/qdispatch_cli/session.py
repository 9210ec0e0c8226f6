"""How a command gets its App and its user: one factory, which tests replace with fakes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qdispatch import App
    from qdispatch_core.domain import User


def default_app(db: str | None) -> App:
    from qdispatch import App, Settings
    from qdispatch.logs import configure_logging

    # Warnings on stderr, as before, now through the handler that masks live credentials (a
    # `run --wait` runs its job's worker in this process).
    configure_logging("WARNING")
    return App(Settings.from_env(database_url=db))


# Replaced by tests (monkeypatch) to run every command against an App built on the fakes.
app_factory: Callable[[str | None], App] = default_app


@contextmanager
def open_app(db: str | None) -> Iterator[App]:
    app = app_factory(db)
    try:
        yield app
    finally:
        app.close()


def current_user(app: App) -> User:
    """The local default user, or the owner of QDISPATCH_API_KEY when one is set (a shared
    PostgreSQL database with several people on it)."""
    key = os.environ.get("QDISPATCH_API_KEY")
    return app.user_for_key(key) if key else app.default_user
