"""The job widget (MCP Apps): listed and served with the Apps MIME type, pointed at by the job
tools, and drawn in a real browser (Debian's headless Chromium through Playwright) from real
jobs that ran on the Aer simulator, with the host's side of the MCP Apps protocol played by a
small page around it. Screenshots go to $QDISPATCH_SCREENSHOTS (else a temporary directory)."""

from __future__ import annotations

import json
import math
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import pytest
from mcp import Client

from qdispatch import App, Settings
from qdispatch_mcp import build_server
from qdispatch_mcp.apps import APP_MIME_TYPE, JOB_WIDGET
from tests.adapters.mcp.e2e import BELL_THETA, XX, ZZ, require_the_real_default
from tests.adapters.mcp.servers import server_env
from tests.adapters.web.browser import CHROMIUM_ARGS, OutsideRequests, chromium_or_skip
from tests.samples import BELL_QASM2

ANGLES = [[round(i * math.pi / 6, 6)] for i in range(7)]  # 0 … π
# (|001⟩ + |101⟩)/√2: qubit 0 set, qubit 2 in superposition; tells the bit order apart.
STATE = """OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
x q[0];
h q[2];
"""
WAIT_MS = 60_000

# The host: the widget in a sandboxed iframe, and the host's side of the protocol (answer
# ui/initialize, then send the tool's input and result once the widget says it is ready).
HOST = """<!DOCTYPE html><html><body style="margin:0;background:#eef0f3">
<iframe id="app" sandbox="allow-scripts"
  style="width:640px;height:1200px;border:0;background:#fff"></iframe>
<script>
const said = window.said = [];
const frame = document.getElementById("app");
window.addEventListener("message", (event) => {
  const m = event.data; said.push(m);
  const reply = (msg) => frame.contentWindow.postMessage(msg, "*");
  if (m.method === "ui/initialize") {
    reply({jsonrpc: "2.0", id: m.id, result: {protocolVersion: "2026-01-26",
      hostInfo: {name: "test-host", version: "1"}, hostCapabilities: {},
      hostContext: {theme: "light", displayMode: "inline"}}});
  } else if (m.method === "ui/notifications/size-changed") {
    frame.style.height = m.params.height + "px";  // fit the frame to the widget, as hosts do
  } else if (m.method === "ui/notifications/initialized") {
    reply({jsonrpc: "2.0", method: "ui/notifications/tool-input",
           params: {arguments: window.toolInput}});
    reply({jsonrpc: "2.0", method: "ui/notifications/tool-result", params: window.toolResult});
  }
});
window.start = (html, input, result) => {
  window.toolInput = input; window.toolResult = result; frame.srcdoc = html;
};
</script></body></html>"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    require_the_real_default()
    home = tmp_path_factory.mktemp("widget-home")
    app = App(Settings.from_env(server_env(home)))
    yield app
    app.close()


@pytest.fixture(scope="module")
def served(app):
    """The widget's HTML and two finished jobs' results, as the SDK's client received them.
    A plain fixture with its own event loop, on a thread of its own (Playwright's sync API
    holds one in this thread), so that each test can run alone (`-k`, `-m slow`)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(anyio.run, _serve, app).result()


async def _serve(app: App) -> dict:
    async with Client(build_server(lambda: app)) as client:
        listed = await client.list_resources()
        html = (await client.read_resource(JOB_WIDGET)).contents[0]
        tools = {t.name: t for t in (await client.list_tools()).tools}
        exp = (
            await client.call_tool("create_new_experiment", {"name": "widget"})
        ).structured_content
        counts = await _run(client, exp["id"], circuits_qasm=[BELL_QASM2], shots=1000)
        sweep = await _run(
            client,
            exp["id"],
            circuits_qasm=[BELL_THETA],
            shots=2000,
            parameters=ANGLES,
            observables=[ZZ, XX],
        )
        state = await _run(client, exp["id"], circuits_qasm=[STATE], run_type="StatevectorRun")
        mitigated = await _run(
            client,
            exp["id"],
            circuits_qasm=[BELL_QASM2],
            device_id="fake_manila",
            shots=2000,
            use_mitigation=True,
            options={"seed_simulator": 11},
        )
    return {
        "listed": listed,
        "html": html,
        "tools": tools,
        "counts": counts,
        "sweep": sweep,
        "state": state,
        "mitigated": mitigated,
    }


async def _run(client: Client, experiment_id: str, **request) -> dict:
    run = await client.call_tool(
        "run_circuits_on_qpu_or_simulator",
        {"experiment_id": experiment_id, "device_id": "aer_simulator", **request},
    )
    assert not run.is_error, run.content[0].text
    for _ in range(6):
        waited = await client.call_tool(
            "wait_for_job", {"job_id": run.structured_content["job_id"], "timeout_s": 60}
        )
        assert not waited.is_error, waited.content[0].text
        if waited.structured_content["status"] == "Done":
            return waited.model_dump(by_alias=True, mode="json", exclude_none=True)
    raise AssertionError(f"the job did not end: {waited.structured_content}")


def test_the_widget_is_listed_served_as_an_app_and_pointed_at(served):
    listed = {r.uri: r for r in served["listed"].resources}
    assert listed[JOB_WIDGET].mime_type == APP_MIME_TYPE
    html = served["html"]
    assert html.mime_type == APP_MIME_TYPE and html.text.startswith("<!DOCTYPE html>")
    # Self-contained: nothing to fetch (no src/href to anywhere, no fetch or XHR).
    for outside in ("http://", "https://", "src=", "href=", "fetch(", "XMLHttpRequest", "@import"):
        assert outside not in html.text.replace("http://www.w3.org/2000/svg", ""), outside
    for name in ("get_job_results_and_status", "wait_for_job"):
        assert served["tools"][name].meta["ui"]["resourceUri"] == JOB_WIDGET
    # Without Apps the result is what it always was: the job, structured and as text.
    result = served["counts"]
    assert json.loads(result["content"][0]["text"]) == result["structuredContent"]


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    wanted = os.environ.get("QDISPATCH_SCREENSHOTS")
    path = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser():
    chromium = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _draw(browser, served: dict, job: str, request: dict):
    """A page hosting the widget with one job's result; returns (page, frame, guard)."""
    context = browser.new_context(viewport={"width": 680, "height": 1240})
    guard = OutsideRequests("http://host.invalid")
    context.route("**/*", guard)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.set_content(HOST)
    page.evaluate(
        "([h, i, r]) => window.start(h, i, r)", [served["html"].text, request, served[job]]
    )
    frame = page.frame_locator("#app")
    frame.locator("#status").wait_for()
    return page, frame, guard


def _bars(frame, attribute="data-value", cast=float):
    """The histogram's bars drawn in the widget: outcome -> `attribute`, read with `cast`."""
    bars = frame.locator("svg.histogram rect.bar")
    bars.first.wait_for()
    return {
        bars.nth(i).get_attribute("data-outcome"): cast(bars.nth(i).get_attribute(attribute))
        for i in range(bars.count())
    }


@pytest.mark.slow
@pytest.mark.browser
def test_a_counts_job_is_drawn_as_a_histogram(browser, served, shots):
    page, frame, guard = _draw(browser, served, "counts", {"job_id": "…"})
    assert frame.locator("#status").inner_text() == "Done"
    drawn = _bars(frame, cast=int)
    counts = served["counts"]["structuredContent"]["results"][0]
    assert drawn == counts and set(drawn) == {"00", "11"} and sum(drawn.values()) == 1000
    heights = _bars(frame, "height")
    tallest = max(counts, key=counts.get)
    assert heights[tallest] == max(heights.values())  # bars are drawn to scale
    assert frame.locator("figcaption").inner_text() == "Circuit 1 · 1000 shots"
    assert "free" in frame.locator(".facts").inner_text()  # the cost
    assert "1/1 executables" in frame.locator(".facts").inner_text()
    # The widget told the host its size (so the host can fit the frame to it).
    said = page.evaluate("window.said.map(m => m.method)")
    assert "ui/notifications/size-changed" in said and "ui/initialize" in said
    page.locator("#app").screenshot(path=str(shots / "mcp-widget-counts.png"))
    page.context.close()
    assert guard.seen == [], f"the widget fetched: {guard.seen}"


@pytest.mark.slow
@pytest.mark.browser
def test_a_sweep_is_drawn_against_its_parameter_with_error_bars(browser, served, shots):
    page, frame, guard = _draw(browser, served, "sweep", {"job_id": "…"})
    points = frame.locator("svg.sweep circle.point")
    points.first.wait_for()
    assert points.count() == 2 * len(ANGLES)  # ⟨ZZ⟩ and ⟨XX⟩ at each angle
    job = served["sweep"]["structuredContent"]
    (per_observable,) = job["results"]
    drawn = [float(points.nth(i).get_attribute("data-value")) for i in range(points.count())]
    assert drawn == pytest.approx(per_observable[0] + per_observable[1])
    errors = frame.locator("svg.sweep line.errorbar")
    assert errors.count() == 2 * len(ANGLES)
    (stderr,) = job["uncertainties"]
    drawn_errors = [float(errors.nth(i).get_attribute("data-error")) for i in range(errors.count())]
    assert drawn_errors == pytest.approx(stderr[0] + stderr[1])
    assert any(e > 0 for e in drawn_errors)  # sampled: the bars have length
    # x is the swept angle: ⟨XX⟩ = sin θ peaks in the middle of the axis.
    xx = [points.nth(i) for i in range(len(ANGLES), 2 * len(ANGLES))]
    highest = max(xx, key=lambda p: float(p.get_attribute("data-value")))
    assert highest.get_attribute("cx") == xx[len(ANGLES) // 2].get_attribute("cx")
    assert "parameter value" in frame.locator("svg.sweep").inner_html()
    legend = frame.locator(".legend").inner_text()
    assert "⟨ZZ⟩" in legend and "⟨XX⟩" in legend
    page.locator("#app").screenshot(path=str(shots / "mcp-widget-sweep.png"))
    page.context.close()
    assert guard.seen == [], f"the widget fetched: {guard.seen}"


@pytest.mark.slow
@pytest.mark.browser
def test_a_state_is_drawn_as_the_probabilities_of_its_basis_states(browser, served, shots):
    page, frame, guard = _draw(browser, served, "state", {"job_id": "…"})
    assert frame.locator("#status").inner_text() == "Done"
    drawn = _bars(frame)
    assert drawn == pytest.approx({"001": 0.5, "101": 0.5})  # qubit 0 is the rightmost bit
    assert "shots" not in frame.locator("figcaption").inner_text()  # probabilities sum to 1
    assert "statevector" in frame.locator(".facts").inner_text()
    page.locator("#app").screenshot(path=str(shots / "mcp-widget-state.png"))
    page.context.close()
    assert guard.seen == [], f"the widget fetched: {guard.seen}"


@pytest.mark.slow
@pytest.mark.browser
def test_mitigated_quasi_probabilities_are_not_read_as_shots(browser, served, shots):
    page, frame, guard = _draw(browser, served, "mitigated", {"job_id": "…"})
    assert frame.locator("#status").inner_text() == "Done"
    drawn = _bars(frame)
    job = served["mitigated"]["structuredContent"]
    assert job["mitigation"]["applied"] is True
    assert drawn == pytest.approx(job["results"][0])
    caption = frame.locator("figcaption").inner_text()
    assert "mitigated quasi-probabilities" in caption and "shots" not in caption
    page.context.close()
    assert guard.seen == [], f"the widget fetched: {guard.seen}"
