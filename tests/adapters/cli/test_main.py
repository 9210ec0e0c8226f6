"""The root command: help, version, --db on every command, errors, `worker` and `mcp`."""

import os
import sys
from pathlib import Path

import pytest

from qdispatch_cli import session
from qdispatch_cli.commands import servers
from tests.samples import BELL_QASM2

COMMANDS = [
    ["run", "x.qasm", "-d", "dummy_simulator"],
    ["devices"],
    ["jobs", "list"],
    ["jobs", "show", "job_x"],
    ["jobs", "wait", "job_x"],
    ["jobs", "cancel", "job_x"],
    ["jobs", "plot", "job_x", "--output", "x.png"],
    ["experiments", "create", "e"],
    ["experiments", "list"],
    ["experiments", "show", "e"],
    ["circuits", "add", "x.qasm"],
    ["circuits", "list"],
    ["circuits", "show", "cir_x"],
    ["users", "create", "u"],
    ["users", "list"],
    ["users", "credit", "u", "1"],
]


def test_help_lists_every_noun(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("run", "devices", "jobs", "experiments", "circuits", "users", "worker", "mcp"):
        assert f"\n  {command} " in result.stdout
    bare = cli()  # no arguments: the help, as a usage error
    assert bare.exit_code == 2 and "Commands:" in bare.stderr


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("qdispatch 0.")


def test_every_command_takes_db(cli, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    Path("x.qasm").write_text(BELL_QASM2)
    for args in COMMANDS:
        cli.dbs.clear()
        cli(*args, "--db", "sqlite:///elsewhere.db")
        assert cli.dbs == ["sqlite:///elsewhere.db"], args


def test_db_falls_back_to_the_environment_then_the_default_file(tmp_path, monkeypatch):
    monkeypatch.setenv("QDISPATCH_HOME", str(tmp_path))
    monkeypatch.delenv("QDISPATCH_DATABASE_URL", raising=False)
    assert session.default_app(None).settings.database_url == (
        f"sqlite:///{tmp_path / 'data' / 'qdispatch.db'}"
    )
    monkeypatch.setenv("QDISPATCH_DATABASE_URL", "sqlite:///from-env.db")
    assert session.default_app(None).settings.database_url == "sqlite:///from-env.db"
    assert session.default_app("sqlite:///flag.db").settings.database_url == "sqlite:///flag.db"


def test_an_unexpected_failure_is_one_line_unless_debugging(cli, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("qdispatch_core.usecases.list_experiments", broken)
    result = cli("experiments", "list")
    assert result.exit_code == 1
    assert "error: RuntimeError: disk on fire" in result.stderr
    assert "QDISPATCH_DEBUG=1" in result.stderr and "Traceback" not in result.output
    monkeypatch.setenv("QDISPATCH_DEBUG", "1")
    result = cli("experiments", "list")
    assert isinstance(result.exception, RuntimeError)


def test_worker_wraps_the_standalone_worker(cli, monkeypatch):
    seen = []
    monkeypatch.setattr("qdispatch.worker_main.main", lambda argv: seen.append(argv))
    assert cli("worker").exit_code == 0
    result = cli("worker", "--threads", "2", "--idle-exit", "5", "--db", "sqlite:///w.db")
    assert result.exit_code == 0
    assert seen == [[], ["--db", "sqlite:///w.db", "--threads", "2", "--idle-exit", "5.0"]]
    assert cli("worker", "--dask", "tcp://scheduler:8786").exit_code == 0
    assert seen[-1] == ["--dask", "tcp://scheduler:8786"]


def test_mcp_execs_the_server_module_with_the_same_arguments(cli, monkeypatch, tmp_path):
    executed = []
    monkeypatch.setattr(servers, "mcp_entry_point", lambda: tmp_path / "__main__.py")
    monkeypatch.setattr(servers.os, "execve", lambda *call: executed.append(call))
    result = cli(
        "mcp",
        "--transport",
        "http",
        "--host",
        "0.0.0.0",
        "--port",
        "8765",
        "--db",
        "sqlite:///m.db",
    )
    assert result.exit_code == 0, result.output
    ((path, argv, env),) = executed
    assert path == sys.executable
    assert argv[1:] == [
        "-m",
        "qdispatch_mcp",
        "--transport",
        "http",
        "--host",
        "0.0.0.0",
        "--port",
        "8765",
    ]
    assert env["QDISPATCH_DATABASE_URL"] == "sqlite:///m.db"
    executed.clear()
    assert cli("mcp", "--some-new-flag", "x").exit_code == 0
    assert executed[0][1][-4:] == ["--transport", "stdio", "--some-new-flag", "x"]


def test_mcp_says_what_to_install_when_the_server_is_missing(cli, monkeypatch):
    monkeypatch.setattr(servers, "mcp_entry_point", lambda: None)
    result = cli("mcp")
    assert result.exit_code == 1
    assert "pip install qdispatch-mcp" in result.stderr


def test_the_mcp_entry_point_is_found_without_importing_the_server():
    before = set(sys.modules)
    found = servers.mcp_entry_point()
    assert "qdispatch_mcp" not in set(sys.modules) - before
    assert found is None or found.name == "__main__.py"


@pytest.mark.parametrize("transport", ["tcp", "STDIO "])
def test_mcp_rejects_unknown_transports(cli, transport):
    assert cli("mcp", "--transport", transport).exit_code == 2


def test_a_background_worker_counts_only_for_its_own_database(tmp_path):
    from dataclasses import replace

    from qdispatch import Settings
    from qdispatch.background import hold_worker_lock, worker_running

    default = Settings.from_env({"QDISPATCH_HOME": str(tmp_path)})
    other = replace(default, database_url=f"sqlite:///{tmp_path / 'other.db'}")
    fd = hold_worker_lock(default)
    try:
        assert worker_running(default) and not worker_running(other)
    finally:
        os.close(fd)
    assert not worker_running(default)
