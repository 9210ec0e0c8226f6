"""Experiments: the list with counts and spend, and one experiment's circuits and jobs."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from qdispatch_core.usecases import get_experiment, list_circuits
from qdispatch_core.usecases.reports import experiment_overview, job_query, search_jobs
from qdispatch_web.pages.common import caller, dashboard

CIRCUITS_SHOWN = 200
JOBS_SHOWN = 50


def home(request: Request):
    return RedirectResponse("/experiments", status_code=303)


def experiments_page(request: Request):
    dash, user = dashboard(request), caller(request)
    summaries = experiment_overview(dash.services, user)
    return dash.render.page(request, "experiments.html", summaries=summaries, nav="experiments")


def experiment_page(request: Request):
    dash, user = dashboard(request), caller(request)
    experiment = get_experiment(dash.services, user, request.path_params["experiment_id"])
    circuits = list_circuits(dash.services, user, experiment.id, CIRCUITS_SHOWN)
    query = job_query(dash.services, experiment_id=experiment.id, limit=JOBS_SHOWN)
    page = search_jobs(dash.services, user, query)
    return dash.render.page(
        request,
        "experiment.html",
        experiment=experiment,
        circuits=circuits,
        page=page,
        experiments={experiment.id: experiment},
        nav="experiments",
        rows_url=f"/jobs?experiment_id={experiment.id}&limit={JOBS_SHOWN}",
        all_jobs_url=f"/jobs?experiment_id={experiment.id}",
    )


routes = [
    Route("/", home, name="home"),
    Route("/experiments", experiments_page, name="experiments"),
    Route("/experiments/{experiment_id}", experiment_page, name="experiment"),
]
