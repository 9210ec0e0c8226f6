"""The dashboard in a real browser (Debian's headless Chromium through Playwright), served by the
installed `qdispatch dashboard` command on a real SQLite database whose jobs ran on the real
simulators. Screenshots go to $QDISPATCH_SCREENSHOTS (else a temporary directory)."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

from qdispatch import App, Settings
from qdispatch_core.usecases import get_job
from tests.adapters.mcp.servers import server_env
from tests.adapters.web import demo
from tests.adapters.web.browser import (
    CHROMIUM_ARGS,
    OutsideRequests,
    chromium_or_skip,
    dashboard_server,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WAIT_MS = 60_000  # generous: the machine may be loaded; the behaviour is "without a reload"


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_or_skip()


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("dashboard-home")
    return server_env(
        home,
        QDISPATCH_EXTRA_BACKENDS="qdispatch_core.testing:FakeBackend",
        QDISPATCH_DEFAULT_CREDITS="100",
    )


@pytest.fixture(scope="module")
def world(env, chromium):
    app = App(Settings.from_env(env))
    try:
        built = demo.build(app, app.default_user)
        users = demo.team(app)
        yield app, built, users
    finally:
        app.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    wanted = os.environ.get("QDISPATCH_SCREENSHOTS")
    path = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def local_url(world, env, tmp_path_factory):
    with dashboard_server(env, tmp_path_factory.mktemp("logs") / "local.log") as url:
        yield url


@pytest.fixture(scope="module")
def team_url(world, env, tmp_path_factory):
    with dashboard_server(env, tmp_path_factory.mktemp("logs") / "team.log", "--team") as url:
        yield url


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _context(browser, base: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base)
    guard = OutsideRequests(base)
    context.route("**/*", guard)
    context.set_default_timeout(WAIT_MS)
    return context, guard


@pytest.fixture
def local(browser, local_url):
    context, guard = _context(browser, local_url)
    yield context.new_page()
    context.close()
    assert guard.seen == [], f"requests left the machine: {guard.seen}"


@pytest.fixture
def team_browser(browser, team_url):
    contexts = []

    def make():
        context, guard = _context(browser, team_url)
        contexts.append((context, guard))
        return context.new_page()

    yield make
    for context, guard in contexts:
        context.close()
        assert guard.seen == [], f"requests left the machine: {guard.seen}"


def _shoot(page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"dashboard-{name}.png"), full_page=True)


def _results(app: App, job_id: str):
    return get_job(app.services, app.default_user, job_id).job


# -- local mode: the pages and their charts --------------------------------------------------


def test_experiments_jobs_and_costs_pages(local, world, shots):
    _, built, _ = world
    local.goto("/")
    assert local.url.endswith("/experiments")
    rows = local.locator("#experiments tbody tr")
    assert rows.count() == 3
    assert local.locator("#experiments").get_by_text("energy-scan").is_visible()
    _shoot(local, shots, "experiments")

    local.goto(f"/experiments/{built.experiments['bell-states']}")
    assert local.locator("#circuits tbody tr").count() == 2  # the Bell pair once, the GHZ state
    _shoot(local, shots, "experiment")

    local.goto("/jobs")
    assert local.locator("#job-rows tr").count() == 11
    _shoot(local, shots, "jobs")
    local.select_option("select[name=status]", "Done")
    local.select_option("select[name=dry_run]", "true")
    local.click("#filters button[type=submit]")
    assert local.locator("#job-rows tr").count() == 1
    assert local.locator("#job-rows").get_by_text("ghz-5 estimate").is_visible()

    local.goto("/costs")
    assert local.locator("#spent").inner_text() == "$7.50"  # 7500 shots at $0.001
    assert local.locator("#held").inner_text() == "$0.80"  # the queued job's 800 shots
    assert local.locator("#by-device").get_by_text("dummy_qpu").is_visible()
    assert local.locator("#reservations tbody tr").count() == 1
    assert local.locator("svg.chart.bars rect.bar").count() == 30  # one bar per day
    # Drawn at the width it is shown: its labels are not scaled up beside the tables.
    scale = local.evaluate(
        "() => { const s = document.querySelector('svg.chart.bars');"
        " return s.getBoundingClientRect().width / s.viewBox.baseVal.width; }"
    )
    assert 0.8 < scale <= 1.05, scale
    _shoot(local, shots, "costs")


def test_histograms_raw_beside_mitigated_and_state_vectors(local, world, shots):
    app, built, _ = world
    local.goto(f"/jobs/{built.bell}")
    bell = _results(app, built.bell).results[0]
    bars = local.locator("#results svg.chart.bars rect.bar")
    assert bars.count() == len(bell) == 2  # an ideal Bell pair: 00 and 11
    assert local.locator("#job-status").inner_text() == "Done"
    _shoot(local, shots, "job-bell")

    local.goto(f"/jobs/{built.mitigated}")
    job = _results(app, built.mitigated)
    outcomes = set(job.results[0]) | set(job.raw_results[0])
    chart = local.locator("#results svg.chart.bars")
    assert chart.get_attribute("data-series") == "2"
    assert chart.locator("rect.bar[data-series='0']").count() == len(outcomes)
    assert chart.locator("rect.bar[data-series='1']").count() == len(outcomes)
    assert local.locator("#request").get_by_text("mthree").count() >= 1
    _shoot(local, shots, "job-mitigated")

    local.goto(f"/jobs/{built.statevector}")
    assert local.locator("#results rect.bar").count() == 2  # GHZ: |000⟩ and |111⟩
    csv = local.request.get(f"/jobs/{built.statevector}/results.csv").text()
    assert csv.splitlines()[0].startswith("circuit,circuit_id,observable")
    assert len(csv.splitlines()) == 1 + 8  # every amplitude of 3 qubits


def test_sweep_chart_with_error_bars_and_grid_heat_map(local, world, shots):
    _, built, _ = world
    local.goto(f"/jobs/{built.sweep}")
    chart = local.locator("#results svg.chart.lines")
    points = demo.SWEEP_POINTS * len(demo.SWEEP_OBSERVABLES)
    assert chart.locator("circle.point").count() == points
    assert chart.locator("g.errorbar").count() == points
    assert chart.locator("polyline.line").count() == len(demo.SWEEP_OBSERVABLES)
    _shoot(local, shots, "job-sweep")

    local.goto(f"/jobs/{built.grid}")
    assert local.locator("#results svg.chart.heatmap rect.cell").count() == demo.GRID_SIDE**2
    _shoot(local, shots, "job-grid")

    local.goto(f"/jobs/{built.dry_run}")
    assert local.locator("#results").count() == 0
    assert local.locator("#plan").is_visible()
    assert local.get_by_text("A dry run: nothing was executed").is_visible()


def test_circuit_page_draws_with_qiskit(local, world, shots):
    app, built, _ = world
    circuit_id = _results(app, built.sweep).circuit_ids[0]
    local.goto(f"/circuits/{circuit_id}")
    drawing = local.locator("#circuit-drawing")
    drawing.wait_for()
    assert "Ry(theta)" in drawing.inner_text()
    assert local.locator(".source .k").count() >= 1  # keywords highlighted
    assert local.locator("#job-rows tr").count() == 1
    _shoot(local, shots, "circuit")


def test_a_running_job_turns_done_without_a_reload(local, browser, local_url, world, shots):
    app, built, _ = world
    local.goto(f"/jobs/{built.running}")
    assert local.locator("#job-status").inner_text() == "Running"
    assert local.locator("#job-progress").is_visible()
    _shoot(local, shots, "job-running")
    listing = local.context.new_page()
    listing.goto("/jobs")
    row = listing.locator(f"#job-rows tr[data-job='{built.running}'] .status")
    assert row.inner_text() == "Running"
    for page in (local, listing):
        page.evaluate("window.stillTheSamePage = true")

    runner = threading.Thread(target=demo.release_and_finish, args=(app, built.running))
    runner.start()
    try:
        local.locator("#job-status", has_text="Done").wait_for()
        listing.locator(
            f"#job-rows tr[data-job='{built.running}'] .status", has_text="Done"
        ).wait_for()
    finally:
        runner.join(120)
    for page in (local, listing):
        assert page.evaluate("window.stillTheSamePage") is True  # no reload happened
    assert local.locator("#results rect.bar").count() == 2
    assert local.locator("#cancel").count() == 0


def test_cancel_from_the_job_page(local, world):
    app, built, _ = world
    local.on("dialog", lambda dialog: dialog.accept())
    local.goto(f"/jobs/{built.queued}")
    assert local.locator("#job-status").inner_text() == "Queued"
    local.click("#cancel")
    local.locator("#job-status", has_text="Cancelled").wait_for()
    assert _results(app, built.queued).status == "Cancelled"
    local.goto("/costs")
    assert local.locator("#held").inner_text() == "$0.00"  # the reservation was released


# -- team mode -------------------------------------------------------------------------------


def _log_in(page, key: str) -> None:
    page.goto("/jobs")
    page.fill("#api_key", key)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/jobs$"))


def test_team_mode_asks_for_a_key(team_browser, world, shots):
    page = team_browser()
    response = page.goto("/jobs")
    assert response.status == 401
    assert page.locator("#api_key").is_visible()
    _shoot(page, shots, "login")
    page.fill("#api_key", "not-a-key")
    page.click("form.stack button[type=submit]")
    assert page.get_by_role("alert").inner_text() == "invalid API key"


def test_user_b_cannot_see_or_cancel_user_a_s_job(team_browser, world):
    _, _, users = world
    alice_job = users["alice"][2]
    _, bob_key, bob_job = users["bob"]
    page = team_browser()
    _log_in(page, bob_key)
    assert page.locator("#job-rows tr").count() == 1
    assert page.locator(f"#job-rows tr[data-job='{bob_job}']").count() == 1
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")

    response = page.goto(f"/jobs/{alice_job}")
    assert response.status == 404
    assert page.locator("h1").inner_text().startswith("404")
    refused = page.request.post(f"/jobs/{alice_job}/cancel", form={"csrf_token": token},
                                max_redirects=0)  # fmt: skip
    assert refused.status == 404

    without_token = page.request.post(f"/jobs/{bob_job}/cancel", form={}, max_redirects=0)
    assert without_token.status == 403
    page.goto(f"/jobs/{bob_job}")
    assert page.locator("#job-status").inner_text() == "Submitted"
    done = page.request.post(f"/jobs/{bob_job}/cancel", form={"csrf_token": token},
                             max_redirects=0)  # fmt: skip
    assert done.status == 303
    page.goto(f"/jobs/{bob_job}")
    assert page.locator("#job-status").inner_text() == "Cancelled"
