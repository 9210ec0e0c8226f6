"""Templates (Jinja2, autoescaped) and the small formatting rules every page shares."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from qdispatch_core.domain import Cost, JobStatus
from qdispatch_core.schemas import CostView

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
HTMX = "htmx-2.0.11.min.js"

ACTIVE = tuple(s for s in JobStatus if not s.is_final)  # pages that refresh themselves


def usd(amount: Decimal | float | None) -> str:
    """$1.25, $7.50, $0.000123, $0.00: cents always, down to micro-dollars (the ledger's unit)
    where the amount has them; never scientific notation."""
    if amount is None:
        return "—"
    value = Decimal(str(amount)).quantize(Decimal("0.000001"))
    whole, _, fraction = f"{abs(value):,.6f}".partition(".")
    fraction = fraction.rstrip("0").ljust(2, "0")
    return f"{'-' if value < 0 else ''}${whole}.{fraction}"


def cost_text(cost: Cost | CostView | dict | None) -> str:
    if cost is None:
        return "—"
    if isinstance(cost, Cost):
        if not cost.pricing_available:
            return "n/a"
        return "free" if not cost.usd else usd(cost.usd)
    view = cost if isinstance(cost, CostView) else CostView(**cost)
    if not view.pricing_available or view.converted is None:
        return "n/a"
    amount = view.converted.get("amount") or 0
    return "free" if not amount else usd(amount)


def cost_native(cost: CostView | None) -> str:
    if cost is None or not cost.pricing_available or not cost.native:
        return cost.reason or "" if cost is not None else ""
    return f"{cost.native.get('amount', 0):g} {cost.native.get('unit', '')}"


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else "—"


def duration(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return "—"
    seconds = (end - start).total_seconds()
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {secs} s"


def status_class(status: object) -> str:
    return f"status status-{str(getattr(status, 'value', status)).lower()}"


def percent(done: int, total: int) -> int:
    return int(100 * done / total) if total else 0


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        usd=usd, cost=cost_text, native=cost_native, when=when, status_class=status_class
    )
    env.globals.update(duration=duration, percent=percent, ACTIVE=ACTIVE, HTMX=HTMX)
    return env


class Renderer:
    def __init__(self) -> None:
        self.env = make_environment()

    def page(self, request: Request, template: str, status: int = 200, **context: Any):
        state = request.state
        context.setdefault("user", getattr(state, "user", None))
        context.setdefault("team", getattr(state, "team", False))
        context.setdefault("csrf_token", getattr(state, "csrf_token", ""))
        context.setdefault("nav", "")
        context["request"] = request
        html = self.env.get_template(template).render(**context)
        return HTMLResponse(html, status_code=status)

    def error(self, request: Request, status: int, message: str):
        titles = {
            400: "Bad request",
            401: "Log in",
            403: "Forbidden",
            404: "Not found",
            409: "Conflict",
            500: "Something went wrong",
        }
        return self.page(
            request,
            "error.html",
            status,
            title=titles.get(status, "Error"),
            code=status,
            message=message,
        )


def is_fragment(request: Request) -> bool:
    """An htmx request for a part of a page (not a boosted whole page)."""
    return request.headers.get("hx-request") == "true"
