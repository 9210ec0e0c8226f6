"""Costs: spend by day, device and experiment from the ledger; balance; open reservations."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from qdispatch_core.usecases import list_experiments
from qdispatch_core.usecases.reports import account_overview, spending_report
from qdispatch_web.charts import Series, bar_chart
from qdispatch_web.pages.common import caller, dashboard

PERIODS = (7, 30, 90, 365)
# The chart spans the page's full-width card (CSS caps charts at 1100 px): drawn at that width,
# its text keeps the size of the other charts' instead of being scaled up about twice.
WIDE = 1100


def costs_page(request: Request):
    dash, user = dashboard(request), caller(request)
    days = request.query_params.get("days", "30")
    report = spending_report(dash.services, user, days)
    account = account_overview(dash.services, user)
    labels = [d.strftime("%b %d") for d, _ in report.by_day]
    chart = bar_chart(
        labels,
        [Series("USD", [float(v) for _, v in report.by_day])],
        title=f"Spend per day (UTC), {report.first_day} to {report.last_day}",
        y_label="USD",
        width=WIDE,
    )
    return dash.render.page(
        request,
        "costs.html",
        report=report,
        account=account,
        chart=chart,
        nav="costs",
        periods=PERIODS,
        days=len(report.by_day),
        experiments={e.id: e for e in list_experiments(dash.services, user)},
    )


routes = [Route("/costs", costs_page, name="costs")]
