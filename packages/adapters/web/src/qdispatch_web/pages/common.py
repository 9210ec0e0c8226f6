"""What every page handler needs: the dashboard's parts, the caller, the CSRF check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from qdispatch_core.domain import User
from qdispatch_core.errors import QDispatchError
from qdispatch_core.usecases import Services
from qdispatch_web.auth import CSRF_FIELD, CSRF_HEADER, Access, bearer_key
from qdispatch_web.rendering import Renderer


class Forbidden(QDispatchError):
    """403: a form without the token of the page that showed it (a cross-site request)."""

    code = 403


@dataclass
class Dashboard:
    services: Services
    render: Renderer
    access: Access


def dashboard(request: Request) -> Dashboard:
    return request.app.state.dashboard


def caller(request: Request) -> User:
    user = request.state.user
    assert user is not None, "the gate lets no anonymous request reach a page"
    return user


def check_csrf(request: Request, form: Any) -> None:
    """Refuse a state-changing request that a page of ours did not send."""
    if bearer_key(request) is not None:
        return  # a header no browser adds by itself: not a cross-site request
    token = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not dashboard(request).access.csrf.valid(request.state.sid, token):
        raise Forbidden(
            "csrf_token: this form has expired or did not come from this dashboard; "
            "reload the page and try again",
            field="csrf_token",
        )
