"""MCP Apps (`io.modelcontextprotocol/ui`): the job tools point at a `ui://` page that draws the
job for hosts that render apps.

`get_job_results_and_status` and `wait_for_job` carry `_meta.ui.resourceUri`; the page
(`widget/job.html`) is one self-contained HTML document, served with the Apps MIME type, that
fetches nothing: the host hands it the tool's result over `postMessage`, and its inline script
draws status, progress and cost, then a histogram of counts, expectation values against the
swept parameter with error bars, or a state's probabilities. Clients without Apps get the same
tool results as ever (structured content, and its JSON as text): the page adds, never replaces.

The dashboard draws its charts on the server, in Python; this page cannot (it is fetched once
and then rendered by the host with each result), so its drawing is its own, in JavaScript.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID, Apps
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

JOB_WIDGET = "ui://qdispatch/job.html"
# `ui/resourceUri` is the flat key of the Apps drafts, which hosts of that time still read.
WIDGET_META = {"ui": {"resourceUri": JOB_WIDGET}, "ui/resourceUri": JOB_WIDGET}

__all__ = [
    "APP_MIME_TYPE",
    "JOB_WIDGET",
    "WIDGET_META",
    "advertise_apps",
    "apps_extension",
    "job_widget_html",
]


async def advertise_apps(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """A server middleware: the Apps capability in `initialize` too. The SDK advertises
    extensions under `capabilities.extensions` on the 2026-07-28 wire only, and drops the key
    from the handshake's answer, where the hosts that render apps today read it."""
    result = await call_next(ctx)
    if ctx.method == "initialize" and isinstance(result, dict):
        capabilities = result.setdefault("capabilities", {})
        capabilities.setdefault("extensions", {})[EXTENSION_ID] = {}
    return result


def job_widget_html() -> str:
    return (files("qdispatch_mcp") / "widget" / "job.html").read_text(encoding="utf-8")


def apps_extension() -> Apps:
    apps = Apps()
    apps.add_html_resource(
        JOB_WIDGET,
        job_widget_html(),
        name="qdispatch job",
        title="A qdispatch job",
        description="A job's status, progress and cost, with a histogram of its counts or a "
        "chart of its expectation values (error bars) against the swept parameter.",
        prefers_border=True,
    )
    return apps
