"""One circuit: its source highlighted, its analytics, a drawing, the jobs that ran it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from qdispatch_core.usecases import get_circuit, get_experiment, list_experiments
from qdispatch_core.usecases.reports import circuit_drawing, job_query, search_jobs
from qdispatch_web.highlight import highlight_qasm
from qdispatch_web.pages.common import caller, dashboard
from qdispatch_web.rendering import is_fragment

JOBS_SHOWN = 50


def circuit_page(request: Request):
    dash, user = dashboard(request), caller(request)
    circuit = get_circuit(dash.services, user, request.path_params["circuit_id"])
    query = job_query(dash.services, circuit_id=circuit.id, limit=JOBS_SHOWN)
    return dash.render.page(
        request,
        "circuit.html",
        circuit=circuit,
        source=highlight_qasm(circuit.qasm),
        experiment=get_experiment(dash.services, user, circuit.experiment_id),
        page=search_jobs(dash.services, user, query),
        nav="experiments",
        experiments={e.id: e for e in list_experiments(dash.services, user)},
        rows_url=f"/jobs?circuit_id={circuit.id}&limit={JOBS_SHOWN}",
        all_jobs_url=f"/jobs?circuit_id={circuit.id}",
    )


def drawing(request: Request):
    """Loaded after the page: drawing imports Qiskit on first use, which takes a moment."""
    dash, user = dashboard(request), caller(request)
    circuit_id = request.path_params["circuit_id"]
    drawn = circuit_drawing(dash.services, user, circuit_id)
    template = "_drawing.html" if is_fragment(request) else "drawing.html"
    return dash.render.page(request, template, drawing=drawn, circuit_id=circuit_id)


def source(request: Request):
    dash, user = dashboard(request), caller(request)
    circuit = get_circuit(dash.services, user, request.path_params["circuit_id"])
    headers = {"content-disposition": f'attachment; filename="{circuit.id}.qasm"'}
    return Response(circuit.qasm, media_type="text/plain; charset=utf-8", headers=headers)


routes = [
    Route("/circuits/{circuit_id}", circuit_page, name="circuit"),
    Route("/circuits/{circuit_id}/drawing", drawing, name="drawing"),
    Route("/circuits/{circuit_id}/source.qasm", source, name="source"),
]
