"""Logging in with an API key (team mode) and out again."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from qdispatch_core.errors import Unauthorized
from qdispatch_web.middleware import session_cookie
from qdispatch_web.pages.common import check_csrf, dashboard


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_form(request: Request, status: int = 200, message: str = "", next_url: str = ""):
    if next_url == "":
        path, query = request.url.path, request.url.query
        next_url = "/" if path == "/login" else path + (f"?{query}" if query else "")
    return dashboard(request).render.page(
        request,
        "login.html",
        status,
        message=message,
        next_url=safe_next(next_url),
        title="Log in",
    )


def login_page(request: Request):
    if not dashboard(request).access.team or request.state.user is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return login_form(request, next_url=request.query_params.get("next", "/"))


async def login(request: Request):
    access = dashboard(request).access
    form = await request.form()
    check_csrf(request, form)
    next_url = safe_next(str(form.get("next") or "/"))
    try:
        user = await run_in_threadpool(access.authenticate, str(form.get("api_key") or ""))
    except Unauthorized as err:
        return login_form(request, 401, err.message, next_url)
    access.sessions.close(request.state.sid)
    sid = access.sessions.open(user)  # a new id: one planted before login is worth nothing
    response = RedirectResponse(next_url, status_code=303)
    response.headers.append(
        "set-cookie", session_cookie(sid, request.url.scheme == "https").decode()
    )
    return response


async def logout(request: Request):
    access = dashboard(request).access
    check_csrf(request, await request.form())
    access.sessions.close(request.state.sid)
    response = RedirectResponse("/login", status_code=303)
    response.headers.append(
        "set-cookie", session_cookie("", request.url.scheme == "https", 0).decode()
    )
    return response


routes = [
    Route("/login", login_page, name="login_page"),
    Route("/login", login, methods=["POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
