"""qdispatch's web dashboard: experiments, jobs, results and costs in a browser.

`create_dashboard(app, team=...)` builds the ASGI application over a `qdispatch.App`;
`python -m qdispatch_web` (what `qdispatch dashboard` runs) serves it.
"""

from qdispatch_web.app import create_dashboard, for_host

__version__ = "0.1.0"

__all__ = ["create_dashboard", "for_host"]
