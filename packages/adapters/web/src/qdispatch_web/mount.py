"""The dashboard beside another server of the same process (the HTTP MCP server).

Found by name (`qdispatch_web.mount:beside`), never imported by the other door: doors stay
independent, and the MCP server works without this package installed.
"""

from __future__ import annotations

from starlette.applications import Starlette

from qdispatch import App
from qdispatch_web.app import create_dashboard


def beside(app: App) -> Starlette:
    """Team mode always: the server beside it is for several users with API keys. The host
    owns the App (and its worker) and closes it."""
    return create_dashboard(app, team=True)
