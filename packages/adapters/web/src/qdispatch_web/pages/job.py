"""One job: its request, life, cost, mitigation and results drawn; downloads; cancel."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from qdispatch_core.usecases import cancel_job, get_experiment, get_job
from qdispatch_core.usecases.reports import get_circuits
from qdispatch_web.downloads import job_json, results_csv
from qdispatch_web.pages.common import caller, check_csrf, dashboard
from qdispatch_web.rendering import is_fragment
from qdispatch_web.results import observable_label, result_panels


def _context(request: Request, job_id: str) -> dict:
    dash, user = dashboard(request), caller(request)
    response = get_job(dash.services, user, job_id)
    job = response.job
    circuits = get_circuits(dash.services, user, job.circuit_ids)
    return dict(
        job=job,
        context_text=response.context,
        circuits=circuits,
        experiment=get_experiment(dash.services, user, job.experiment_id),
        panels=result_panels(job, circuits),
        observable_label=observable_label,
        secrets_removed=sorted(job.options),
        nav="jobs",
    )


def job_page(request: Request):
    context = _context(request, request.path_params["job_id"])
    return dashboard(request).render.page(request, "job.html", **context)


def job_body(request: Request):
    """The part of the page that changes while the job runs (polled by htmx)."""
    context = _context(request, request.path_params["job_id"])
    return dashboard(request).render.page(request, "_job_body.html", **context)


async def cancel(request: Request):
    dash, user = dashboard(request), caller(request)
    job_id = request.path_params["job_id"]
    check_csrf(request, await request.form())
    await run_in_threadpool(cancel_job, dash.services, user, job_id)
    if is_fragment(request):
        return await run_in_threadpool(job_body, request)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def _attachment(body: str, media_type: str, filename: str) -> Response:
    headers = {"content-disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=media_type, headers=headers)


def download_json(request: Request):
    dash, user = dashboard(request), caller(request)
    job = get_job(dash.services, user, request.path_params["job_id"]).job
    return _attachment(job_json(job), "application/json", f"{job.id}.json")


def download_csv(request: Request):
    dash, user = dashboard(request), caller(request)
    job = get_job(dash.services, user, request.path_params["job_id"]).job
    return _attachment(results_csv(job), "text/csv; charset=utf-8", f"{job.id}-results.csv")


routes = [
    Route("/jobs/{job_id}", job_page, name="job"),
    Route("/jobs/{job_id}/body", job_body, name="job_body"),
    Route("/jobs/{job_id}/cancel", cancel, methods=["POST"], name="cancel"),
    Route("/jobs/{job_id}/job.json", download_json, name="job_json"),
    Route("/jobs/{job_id}/results.csv", download_csv, name="results_csv"),
]
