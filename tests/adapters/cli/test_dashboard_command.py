"""`qdispatch dashboard`: it execs the web door's module with the same arguments."""

import sys

from qdispatch_cli.commands import dashboard


def test_dashboard_execs_the_web_module(cli, monkeypatch):
    executed = []
    monkeypatch.setattr(dashboard.os, "execve", lambda *call: executed.append(call))
    result = cli("dashboard", "--host", "0.0.0.0", "--port", "9000", "--open", "--team",
                 "--db", "sqlite:///d.db")  # fmt: skip
    assert result.exit_code == 0, result.output
    ((path, argv, env),) = executed
    assert path == sys.executable
    assert argv[1:] == ["-m", "qdispatch_web", "--host", "0.0.0.0", "--port", "9000", "--open",
                        "--team"]  # fmt: skip
    assert env["QDISPATCH_DATABASE_URL"] == "sqlite:///d.db"
    executed.clear()
    assert cli("dashboard").exit_code == 0
    assert executed[0][1][1:] == ["-m", "qdispatch_web", "--host", "127.0.0.1", "--port", "8765"]


def test_dashboard_says_what_to_install_when_missing(cli, monkeypatch):
    monkeypatch.setattr(dashboard.importlib.util, "find_spec", lambda name: None)
    result = cli("dashboard")
    assert result.exit_code == 1 and "pip install qdispatch-web" in result.stderr


def test_help_lists_the_dashboard(cli):
    assert "\n  dashboard " in cli("--help").stdout
