"""The job listing: filters and sorting from the URL, rows that refresh while jobs run."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.routing import Route

from qdispatch_core.domain import JobStatus
from qdispatch_core.ports import JobSort
from qdispatch_core.usecases import list_experiments
from qdispatch_core.usecases.reports import job_query, search_jobs
from qdispatch_web.pages.common import caller, dashboard
from qdispatch_web.rendering import is_fragment

FILTERS = (
    "experiment_id",
    "circuit_id",
    "status",
    "device_id",
    "dry_run",
    "created_from",
    "created_to",
    "sort",
    "order",
    "limit",
    "offset",
)


def _params(request: Request) -> dict[str, str]:
    return {k: v for k in FILTERS if (v := request.query_params.get(k, "")) != ""}


def page_url(params: dict[str, str], **changes: object) -> str:
    merged = {**params, **{k: str(v) for k, v in changes.items()}}
    return "/jobs?" + urlencode({k: v for k, v in merged.items() if v != ""})


def sort_url(params: dict[str, str], key: str) -> str:
    """The column header's link: sort by it, or flip the order when it is the sort already."""
    current = params.get("sort", "created")
    order = params.get("order", "desc")
    flipped = "asc" if current == key and order == "desc" else "desc"
    return page_url(params, sort=key, order=flipped, offset="")


def jobs_page(request: Request):
    dash, user = dashboard(request), caller(request)
    params = _params(request)
    query = job_query(dash.services, **params)
    page = search_jobs(dash.services, user, query)
    experiments = {e.id: e for e in list_experiments(dash.services, user)}
    context: dict[str, Any] = dict(
        page=page,
        experiments=experiments,
        params=params,
        statuses=list(JobStatus),
        sorts=list(JobSort),
        rows_url=page_url(params),
        nav="jobs",
        sort_url=lambda key: sort_url(params, key),
        next_url=page_url(params, offset=query.offset + query.limit) if page.has_more else "",
        prev_url=page_url(params, offset=max(query.offset - query.limit, 0))
        if query.offset
        else "",
    )
    if is_fragment(request) and request.headers.get("hx-target") == "job-rows":
        return dash.render.page(request, "_job_rows.html", **context)
    return dash.render.page(request, "jobs.html", **context)


routes = [Route("/jobs", jobs_page, name="jobs")]
