"""Issue 22, L5: escape sequences in names, descriptions, sources, errors and logs never reach
the terminal as escape sequences.

New names and descriptions with control characters are refused by the core (400). Data stored
before that rule (planted here straight into the SQLite file), circuit sources (whose comments
may hold anything) and what a user types in a command line are printed with every control
character made visible (`\\x1b`). The installed `qdispatch` runs on a pseudo-terminal, so Rich
draws its own colours; the only escape sequences on the screen must be those colours."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import sqlite3
import subprocess
import time

import pytest

from tests.adapters.cli.test_e2e import BELL, QDISPATCH, ROOT, Terminal

pytestmark = pytest.mark.skipif(QDISPATCH is None, reason="the qdispatch command is not installed")

CLEAR = "\x1b[2J\x1b[H"  # clears the screen
TITLE = "\x1b]0;pwned\x07"  # sets the window title (OSC … BEL)
C1 = "\x9b31m"  # the one-byte form of CSI: red, on terminals that honour C1
PLANTED = (CLEAR, TITLE, C1)
SGR = re.compile(r"\x1b\[[0-9;]*m")  # Rich's colours: the only sequences allowed on screen
ANY_ESCAPE = re.compile(r"\x1b|\x9b|\x07|\x9d")


def on_a_terminal(env: dict[str, str], *args: str, timeout: float = 120) -> tuple[int, str]:
    """Run `qdispatch ARGS` with stdout and stderr on a pseudo-terminal; its exit code and
    everything it drew."""
    controller, attached = pty.openpty()
    process = subprocess.Popen(
        [QDISPATCH, *args],
        env={**env, "TERM": "xterm-256color"},
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=attached,
        stderr=attached,
    )
    os.close(attached)
    drawn = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the program closed its end
                break
            if not chunk:
                break
            drawn += chunk
        elif process.poll() is not None:
            break
    os.close(controller)
    code = process.wait(timeout=30)
    return code, drawn.decode("utf-8", errors="replace")


def assert_only_colours(screen: str) -> None:
    """Every escape sequence on screen is a colour (SGR); nothing planted got through."""
    rest = SGR.sub("", screen)
    assert not ANY_ESCAPE.search(rest), repr(
        rest[max(0, ANY_ESCAPE.search(rest).start() - 60) :][:160]
    )
    for planted in PLANTED:
        assert planted not in screen


@pytest.fixture
def terminal(tmp_path):
    shell = Terminal(tmp_path / "home", autostart=False)
    shell.env["COLUMNS"] = "160"
    return shell


def plant(home, sql: str, *values: object) -> None:
    """Write straight into the SQLite file, as data stored before the rule would be."""
    with sqlite3.connect(home / "data" / "qdispatch.db") as db:
        db.execute(sql, values)


def test_new_names_and_descriptions_with_control_characters_are_refused(terminal):
    for args in (
        ("run", str(BELL), "-d", "aer_simulator", "--name", f"job{CLEAR}"),
        ("run", str(BELL), "-d", "aer_simulator", "--description", f"d{TITLE}"),
        ("experiments", "create", f"exp{C1}"),
        ("circuits", "add", str(BELL), "--name", "a\rb"),
    ):
        done = terminal(*args, expect=1)
        assert "control character U+" in done.stderr, args
        assert not ANY_ESCAPE.search(done.stdout + done.stderr)
    multi = terminal.json("experiments", "create", "fine", "--description", "line 1\n\tline 2")
    assert multi["description"] == "line 1\n\tline 2"  # tabs and newlines: fine in descriptions
    assert terminal.json("jobs", "list") == []


def test_stored_control_characters_are_shown_escaped_everywhere(terminal, tmp_path):
    source = BELL.read_text().replace("// A Bell pair", f"// A Bell pair{TITLE}{CLEAR}")
    circuit_file = tmp_path / "bell_with_escapes.qasm"
    circuit_file.write_text(source)  # a comment may hold anything: the source is stored as is
    job = terminal.json("run", str(circuit_file), "-d", "aer_simulator", "--shots", "10",
                        "--name", "plain", "--experiment", "plain", "--wait")  # fmt: skip
    (circuit_id,) = job["circuit_ids"]
    home = terminal.home
    plant(home, "UPDATE jobs SET name = ?, description = ?, error = ?",
          f"job{CLEAR}", f"d{TITLE}", f"provider said {C1}no")  # fmt: skip
    plant(home, "UPDATE experiments SET name = ?, description = ?", f"e{TITLE}", f"x{CLEAR}")
    plant(home, "UPDATE circuits SET name = ?", f"c{C1}")
    for args in (
        ("jobs", "list"),
        ("jobs", "show", job["id"], "--logs"),
        ("experiments", "list"),
        ("experiments", "show", job["experiment_id"]),
        ("circuits", "list"),
        ("circuits", "show", circuit_id, "--qasm"),
    ):
        code, screen = on_a_terminal(terminal.env, *args)
        assert code == 0, (args, screen)
        assert_only_colours(screen)
        assert "\\x1b" in screen or "\\x9b" in screen, (args, screen)  # shown, made visible
    # JSON escapes them its own way, and stays the stored data exactly.
    listed = terminal.json("jobs", "list")
    assert listed[0]["name"] == f"job{CLEAR}"


def test_what_a_user_types_is_echoed_escaped(terminal):
    for args in (
        ("jobs", "show", f"job_{CLEAR}"),  # the core's 404 quotes the id
        ("devices", "show", f"aer{TITLE}"),  # and the device id
        (f"nonsense{CLEAR}",),  # Click's usage error quotes the command
        ("jobs", "list", f"--st{TITLE}"),  # and an unknown option
        ("run", str(BELL), "-d", "aer_simulator", "--experiment", f"exp_{C1}"),
    ):
        code, screen = on_a_terminal(terminal.env, *args)
        assert code in (1, 2), (args, screen)
        assert_only_colours(screen)
        assert "\\x" in screen, (args, screen)


def test_piped_output_carries_no_control_characters_at_all(terminal):
    job = terminal.json("run", str(BELL), "-d", "aer_simulator", "--shots", "10", "--wait")
    plant(terminal.home, "UPDATE jobs SET name = ?", f"n{CLEAR}{TITLE}{C1}")
    for args in (("jobs", "list"), ("jobs", "show", job["id"])):
        done = terminal(*args)
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", done.stdout + done.stderr), args
    assert json.loads(terminal("jobs", "list", "--json").stdout)[0]["name"].startswith("n\x1b")
