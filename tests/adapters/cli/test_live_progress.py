"""The live progress line of `run --wait` / `jobs wait`, drawn on a console that is a terminal.

Off a terminal the line turns itself off, so every other CLI test runs without it. Here stderr is
a Rich console forced to be a terminal, and the fake backend runs one executable at a time, only
when the test lets it: each count is read by `follow` and drawn before the next one starts.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import threading
import time
from collections.abc import Callable
from functools import cache
from io import StringIO

import pytest
from rich.console import Console

from qdispatch import following
from qdispatch_cli import output, waiting
from qdispatch_core import usecases
from qdispatch_core.schemas import JobView
from qdispatch_core.testing import backend as fake_backend
from tests.adapters.cli.test_e2e import BELL, QDISPATCH, ROOT, Terminal
from tests.samples import PARAM_2Q

SETS = "[[1,2],[3,4],[5,6],[7,8]]"  # four parameter sets: four executables on dummy_simulator
TOTAL = 4
DEADLINE = 30.0  # seconds; generous for a loaded CI machine
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def until(condition: Callable[[], bool], what: str) -> None:
    """Poll `condition` (real time) until it holds; fail after DEADLINE."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> StringIO:
    """stderr is a 100-column colour terminal writing to a buffer."""
    screen = StringIO()
    console = Console(
        file=screen, force_terminal=True, width=100, color_system="standard", highlight=False
    )
    monkeypatch.setattr(output, "err", cache(lambda: console))
    return screen


@pytest.fixture
def one_at_a_time(monkeypatch: pytest.MonkeyPatch):
    """Each fake executable waits for a permit from the test before it produces its output."""
    permits = threading.Semaphore(0)
    produce = fake_backend.fake_output

    def gated(spec, e):
        if not permits.acquire(timeout=DEADLINE):
            raise RuntimeError("the test never let this executable run")
        return produce(spec, e)

    monkeypatch.setattr(fake_backend, "fake_output", gated)
    # An executable "takes a minute": every shard holds one, so progress moves one at a time.
    monkeypatch.setattr(fake_backend.FakeBackend, "seconds_per_executable", lambda *a: 60.0)
    yield permits
    permits.release(100)  # never leave the backend's thread blocked after a failure


def drive(cli, screen: StringIO, permits: threading.Semaphore, monkeypatch) -> list[int]:
    """Replace the pause between `follow`'s reads: wait until the live line shows the count just
    read, then let one more executable run and wait until the job records it."""
    released: list[int] = [0]

    def job() -> JobView:
        (summary,) = usecases.list_jobs(cli.app.services, cli.app.default_user)
        return waiting.read(cli.app, cli.app.default_user, summary.id)

    def pause(seconds: float) -> None:
        shown = f"{released[0]}/{TOTAL}"
        until(lambda: shown in ANSI.sub("", screen.getvalue()), f"the live line to show {shown}")
        if released[0] < TOTAL:
            permits.release()
            released[0] += 1
            until(
                lambda: job().progress.done >= released[0],
                f"executable {released[0]} to be recorded",
            )
        else:
            until(lambda: job().status in output.FINAL_STATUSES, "the job to end")

    monkeypatch.setattr(following, "wait_a_while", lambda worker, seen, seconds: pause(seconds))
    return released


def frames(screen: StringIO) -> list[str]:
    """The live line as drawn, one entry per redraw, escape codes removed."""
    text = ANSI.sub("", screen.getvalue())
    return [line.strip() for line in re.split(r"[\r\n]+", text) if line.strip()]


def test_run_wait_draws_status_executables_and_elapsed_live(
    cli, terminal, one_at_a_time, monkeypatch
):
    released = drive(cli, terminal, one_at_a_time, monkeypatch)
    result = cli("run", cli.qasm(PARAM_2Q), "-d", "dummy_simulator", "--parameters", SETS, "-w")
    assert result.exit_code == 0, result.output
    assert released[0] == TOTAL

    drawn = frames(terminal)
    (job_id,) = {re.match(r"\W*(job_\w+)", line).group(1) for line in drawn}
    counts = [int(m.group(1)) for line in drawn if (m := re.search(rf"(\d)/{TOTAL}", line))]
    # Every count from 0 to 4 was on screen, in order: the figure advances as the job runs.
    assert sorted(set(counts)) == list(range(TOTAL + 1)) and counts == sorted(counts), counts
    assert all("executables" in line for line in drawn)
    assert all(re.search(r"\b\d:\d\d:\d\d\b", line) for line in drawn)  # elapsed
    # Even the first frame shows the job as read, never an unknown total ("0/?").
    assert all(f"/{TOTAL}" in line for line in drawn), drawn
    # The status is on the line while it runs, and the last frame is the final one.
    assert any("Running" in line and f"2/{TOTAL}" in line for line in drawn), drawn
    assert "Done" in drawn[-1] and f"{TOTAL}/{TOTAL}" in drawn[-1], drawn[-1]
    # The line is transient; the job itself is then printed on stdout, status Done.
    assert re.search(r"status\s+Done", result.stdout), result.stdout
    assert f"{TOTAL}/{TOTAL} done" in result.stdout and job_id in result.stdout


def test_jobs_wait_draws_the_same_line(cli, terminal, one_at_a_time, monkeypatch):
    job_id = cli.submit(cli.qasm(PARAM_2Q), "-d", "dummy_simulator", "--parameters", SETS)
    cli.app.worker()
    drive(cli, terminal, one_at_a_time, monkeypatch)
    result = cli("jobs", "wait", job_id)
    assert result.exit_code == 0, result.output
    drawn = frames(terminal)
    for n in range(TOTAL + 1):
        assert any(job_id in line and f"{n}/{TOTAL}" in line for line in drawn), (n, drawn)
    assert "Done" in drawn[-1]


def test_no_live_line_with_json(cli, terminal, one_at_a_time):
    one_at_a_time.release(TOTAL)
    document = cli.json(
        "run", cli.qasm(PARAM_2Q), "-d", "dummy_simulator", "--parameters", SETS, "-w"
    )
    assert document["status"] == "Done"
    assert terminal.getvalue() == ""


@pytest.mark.skipif(QDISPATCH is None, reason="the qdispatch command is not installed")
def test_the_installed_command_draws_the_line_on_a_pseudo_terminal(tmp_path):
    """`qdispatch run examples/bell.qasm --device aer_simulator --wait` with stderr on a pty.

    Rich draws the line when it starts and once more, final, when it stops, so even a job that
    ends between two refreshes shows its Done frame.
    """
    env = {**Terminal(tmp_path, autostart=False).env, "TERM": "xterm-256color"}
    controller, terminal = pty.openpty()
    drawn = bytearray()

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO: the command closed its end
                return
            if not chunk:
                return
            drawn.extend(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    try:
        command = subprocess.Popen(
            [QDISPATCH, "run", str(BELL), "--device", "aer_simulator", "--wait"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=terminal,
            env=env,
            cwd=ROOT,
            text=True,
        )
    finally:
        os.close(terminal)  # the command holds its own copy; EOF when it exits
    try:
        stdout, _ = command.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        command.kill()
        command.communicate()
        raise
    finally:
        reader.join(timeout=DEADLINE)
        os.close(controller)
    assert command.returncode == 0, (stdout, bytes(drawn))
    screen = ANSI.sub("", bytes(drawn).decode(errors="replace"))
    lines = [line.strip() for line in re.split(r"[\r\n]+", screen) if line.strip()]
    assert "Traceback" not in screen, screen
    assert lines and all("executables" in line for line in lines), lines
    assert re.search(r"job_\w+ Done .* 1/1 executables \d:\d\d:\d\d$", lines[-1]), lines
    assert re.search(r"status\s+Done", stdout), stdout
