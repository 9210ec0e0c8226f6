"""Every page, download, fragment and refusal of the dashboard, through Starlette's test client."""

from __future__ import annotations

import csv
import io
import json

import pytest
from starlette.testclient import TestClient

from qdispatch_core.usecases import get_job
from qdispatch_web import for_host
from tests.adapters.web.conftest import LOCAL, csrf_of, log_in

PAGES = [
    "/experiments",
    "/experiments/{experiment}",
    "/jobs",
    "/jobs?status=Done&sort=cost&order=asc",
    "/jobs/{done}",
    "/jobs/{sweep}",
    "/jobs/{queued}",
    "/circuits/{circuit}",
    "/circuits/{circuit}/drawing",
    "/costs",
    "/costs?days=7",
]


def fill(path: str, world) -> str:
    return path.format(**{k: getattr(world, k) for k in ("experiment", "done", "sweep", "queued",
                                                          "circuit")})  # fmt: skip


# -- local mode ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders(local, world, path):
    response = local.get(fill(path, world))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>" in response.text and "alice" in response.text


def test_home_goes_to_the_experiments(local):
    response = local.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/experiments"


def test_experiment_list_counts(local, world):
    html = local.get("/experiments").text
    assert 'href="/experiments/' + world.experiment + '">bell</a>' in html
    assert "theirs" not in html  # bob's experiment


def test_job_page_shows_request_results_and_downloads(local, world):
    html = local.get(f"/jobs/{world.sweep}").text
    assert 'class="chart lines"' in html and html.count('class="point"') == 2 * 3
    assert html.count('class="errorbar"') == 2 * 3
    assert "ZZ + 0.5·XX" in html and "/jobs/" + world.sweep + "/results.csv" in html
    done = local.get(f"/jobs/{world.done}").text
    assert 'class="chart bars"' in done and 'id="cancel"' not in done
    queued = local.get(f"/jobs/{world.queued}").text
    assert 'id="cancel"' in queued and 'hx-trigger="every 1s"' in queued


def test_downloads(local, world):
    job = get_job(world.app.services, world.user, world.sweep).job
    document = local.get(f"/jobs/{world.sweep}/job.json")
    assert document.headers["content-disposition"] == f'attachment; filename="{job.id}.json"'
    assert json.loads(document.text)["results"] == job.results
    table = local.get(f"/jobs/{world.sweep}/results.csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert len(rows) == 2 * 3  # observables × parameter sets
    assert [float(r["value"]) for r in rows[:3]] == job.results[0][0]
    assert rows[0]["parameters"] == "[0.1, 0.2]" and rows[3]["observable"] == "2"
    source = local.get(f"/circuits/{world.circuit}/source.qasm")
    assert source.text.startswith("OPENQASM 2.0;")


def test_the_drawing_is_a_fragment_for_htmx_and_a_page_otherwise(local, world):
    fragment = local.get(f"/circuits/{world.circuit}/drawing", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<pre class="drawing"')
    assert "| h q[0];" in fragment.text  # the fake toolkit's drawing
    page = local.get(f"/circuits/{world.circuit}/drawing")
    assert "<html" in page.text and "| h q[0];" in page.text


def test_live_fragments(local, world):
    rows = local.get("/jobs", headers={"HX-Request": "true", "HX-Target": "job-rows"})
    assert rows.text.lstrip().startswith('<tbody id="job-rows" hx-get=')  # a job is still going
    assert world.queued in rows.text and "<html" not in rows.text
    body = local.get(f"/jobs/{world.queued}/body")
    assert body.text.lstrip().startswith('<div id="job-body"') and "Submitted" in body.text
    finished = local.get(f"/jobs/{world.done}/body").text
    assert "hx-trigger" not in finished.split(">", 1)[0]  # a final job is not polled


@pytest.mark.parametrize(
    "path",
    [
        "/jobs/job_missing",
        "/jobs/job_missing/body",
        "/jobs/job_missing/job.json",
        "/jobs/job_missing/results.csv",
        "/experiments/exp_missing",
        "/circuits/cir_missing",
        "/circuits/cir_missing/drawing",
        "/circuits/cir_missing/source.qasm",
        "/no/such/page",
        "/jobs/{other_user_job}",
        "/jobs/{other_user_job}/results.csv",
    ],
)
def test_not_found(local, world, path):
    response = local.get(path.format(other_user_job=world.other_user_job))
    assert response.status_code == 404
    assert "404" in response.text and "Not found" in response.text


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/jobs?status=Finished", "status: expected one of"),
        ("/jobs?created_from=yesterday", "created_from: expected a date"),
        ("/jobs?limit=100000", "limit: expected a whole number 1..1000"),
        ("/jobs?sort=colour", "sort: expected one of"),
        ("/costs?days=0", "days: expected a whole number 1..3660"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(local, path, field):
    response = local.get(path)
    assert response.status_code == 400 and field in response.text


def test_cancel_needs_the_page_s_token(local, world):
    refused = local.post(f"/jobs/{world.queued}/cancel", data={}, follow_redirects=False)
    assert refused.status_code == 403 and "csrf_token" in refused.text
    forged = local.post(f"/jobs/{world.queued}/cancel", data={"csrf_token": "0" * 64})
    assert forged.status_code == 403
    assert get_job(world.app.services, world.user, world.queued).job.status == "Submitted"
    token = csrf_of(local.get(f"/jobs/{world.queued}").text)
    done = local.post(f"/jobs/{world.queued}/cancel", data={"csrf_token": token},
                      follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == f"/jobs/{world.queued}"
    assert get_job(world.app.services, world.user, world.queued).job.status == "Cancelled"


def test_cancel_from_htmx_answers_with_the_new_body(local, world):
    token = csrf_of(local.get(f"/jobs/{world.queued}").text)
    response = local.post(f"/jobs/{world.queued}/cancel", data={"csrf_token": token},
                          headers={"HX-Request": "true"})  # fmt: skip
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="job-body" data-status="Cancelled"')


def test_another_browser_s_token_is_refused(local, world):
    token = csrf_of(local.get(f"/jobs/{world.queued}").text)
    stranger = TestClient(local.app, base_url=LOCAL)  # no cookie of the first browser
    response = stranger.post(f"/jobs/{world.queued}/cancel", data={"csrf_token": token})
    assert response.status_code == 403


def test_security_headers_and_session_cookie(local):
    response = local.get("/experiments")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("qdispatch_session=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie


def test_local_mode_refuses_foreign_host_names(world, monkeypatch):
    """DNS rebinding: a page of evil.example resolved to 127.0.0.1 must not read the data."""
    monkeypatch.setenv("QDISPATCH_API_KEY", world.key)
    client = TestClient(for_host(world.app, "127.0.0.1"), base_url="http://evil.example")
    assert client.get("/experiments").status_code == 400


def test_local_mode_is_the_default_local_user_without_a_key(world, monkeypatch):
    monkeypatch.delenv("QDISPATCH_API_KEY", raising=False)
    client = TestClient(for_host(world.app, "127.0.0.1"), base_url=LOCAL)
    html = client.get("/experiments").text
    assert ">local<" in html and "No experiments yet" in html
    assert client.get(f"/jobs/{world.done}").status_code == 404  # alice's job


def test_static_files_are_served_by_the_app(local):
    htmx = local.get("/static/htmx-2.0.11.min.js")
    assert htmx.status_code == 200 and "htmx" in htmx.text[:200]
    assert "Zero-Clause BSD" in local.get("/static/htmx-LICENSE.txt").text
    assert ".source" in local.get("/static/pygments.css").text
    assert local.get("/static/dashboard.css").status_code == 200


def test_pages_reference_nothing_outside_the_app(local, world):
    for path in PAGES:
        html = local.get(fill(path, world)).text
        assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "https://" not in html and "//cdn" not in html


# -- team mode -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [*PAGES, "/", "/jobs/{done}/job.json", "/jobs/{done}/results.csv", "/jobs/{done}/body",
     "/circuits/{circuit}/source.qasm"],
)  # fmt: skip
def test_team_mode_without_a_key_is_the_login_page(team, world, path):
    response = team.get(fill(path, world), follow_redirects=False)
    assert response.status_code == 401
    assert 'name="api_key"' in response.text
    # Nothing of the data: no status badge, no link into it (the target is only in `next`).
    assert 'class="status' not in response.text and 'href="/experiments/' not in response.text


def test_a_poll_after_the_session_ended_sends_htmx_to_the_login_page(team, world):
    response = team.get(f"/jobs/{world.queued}/body", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["hx-redirect"] == "/login"


def test_team_mode_cancel_without_a_key_is_401(team, world):
    response = team.post(f"/jobs/{world.queued}/cancel", data={})
    assert response.status_code == 401


def test_bearer_keys(team, world):
    ok = team.get("/jobs", headers={"Authorization": f"Bearer {world.key}"})
    assert ok.status_code == 200 and world.done in ok.text
    bad = team.get("/jobs", headers={"Authorization": "Bearer qdk_wrong"})
    assert bad.status_code == 401 and "invalid API key" in bad.text
    theirs = team.get(f"/jobs/{world.other_user_job}",
                      headers={"Authorization": f"Bearer {world.key}"})  # fmt: skip
    assert theirs.status_code == 404
    # A script with its key needs no CSRF token: browsers never add the header themselves.
    cancelled = team.post(f"/jobs/{world.queued}/cancel",
                          headers={"Authorization": f"Bearer {world.key}"},
                          follow_redirects=False)  # fmt: skip
    assert cancelled.status_code == 303


def test_login_session_and_logout(team, world):
    before = team.get("/login")
    assert before.status_code == 200
    planted = team.cookies.get("qdispatch_session")
    token = csrf_of(before.text)
    wrong = team.post("/login", data={"api_key": "qdk_wrong", "csrf_token": token})
    assert wrong.status_code == 401 and "invalid API key" in wrong.text
    no_token = team.post("/login", data={"api_key": world.key})
    assert no_token.status_code == 403
    log_in(team, world.key)
    assert team.cookies.get("qdispatch_session") != planted  # a new session id after login
    jobs = team.get("/jobs").text
    assert world.done in jobs and world.other_user_job not in jobs
    assert team.get(f"/jobs/{world.other_user_job}").status_code == 404
    token = csrf_of(team.get("/jobs").text)
    theirs = team.post(f"/jobs/{world.other_user_job}/cancel", data={"csrf_token": token})
    assert theirs.status_code == 404
    assert get_job(world.app.services, world.app.user_for_key(world.other_key),
                   world.other_user_job).job.status == "Done"  # fmt: skip
    out = team.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert team.get("/jobs").status_code == 401


def test_login_never_redirects_to_another_site(team, world):
    token = csrf_of(team.get("/login").text)
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = team.post("/login", data={"api_key": world.key, "csrf_token": token,
                                             "next": target}, follow_redirects=False)  # fmt: skip
        assert response.headers["location"] == "/"
        token = csrf_of(team.get("/login?next=/jobs", follow_redirects=True).text)


def test_a_non_loopback_host_means_team_mode(world):
    client = TestClient(for_host(world.app, "0.0.0.0"), base_url="http://dashboard.example")
    assert client.get("/experiments").status_code == 401
