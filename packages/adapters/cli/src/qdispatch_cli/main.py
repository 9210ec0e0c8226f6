"""The root of `qdispatch`: one sub-app per noun, plus `run`, `devices`, `worker` and `mcp`.

Help is Click's plain formatter: Rich-formatted help imports Markdown and syntax highlighting
(about 0.3 s here), which would put `qdispatch --help` over its 0.25 s budget.

A command line that names its command gets a root holding that command alone: Typer builds the
parameters of every registered command before it runs one (inspecting each function's
signature), and each command's module has its own imports; for `qdispatch devices` that was
about a sixth of its start-up (issue 17). Help, `--version` and anything unknown get the whole
root, so listings and Click's own "no such command" answer are unchanged.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Annotated

import typer

from qdispatch_cli.errors import ErrorHandlingGroup

HELP = """Run quantum circuits on QPUs and simulators as asynchronous, persisted jobs.

\b
Quick start:
  qdispatch devices
  qdispatch run examples/bell.qasm --device aer_simulator --wait
  qdispatch run circuit.qasm --device aer_simulator        (returns a job id at once)
  qdispatch jobs wait JOB_ID

Every command takes --db URL (default: $QDISPATCH_DATABASE_URL, else a SQLite file in your data
directory). Exit codes: 0 ok, 1 request refused (the message says why), 2 usage error, 3 the
job ended Error or Cancelled, 4 `jobs wait --timeout` ran out, 130 interrupted.
"""

COMMANDS = (
    "run",
    "devices",
    "jobs",
    "experiments",
    "circuits",
    "users",
    "worker",
    "dashboard",
    "mcp",
)
SUB_APPS = frozenset({"devices", "jobs", "experiments", "circuits", "users"})


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"qdispatch {version('qdispatch-cli')}")
        raise typer.Exit()


def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    pass  # the help is HELP above; this callback exists for --version


def _register(app: typer.Typer, name: str) -> None:
    if name in SUB_APPS:
        app.add_typer(import_module(f"qdispatch_cli.commands.{name}").app, name=name)
    elif name == "run":
        from qdispatch_cli.commands import run

        app.command("run", no_args_is_help=True)(run.run)
    elif name == "dashboard":
        from qdispatch_cli.commands import dashboard

        app.command("dashboard")(dashboard.dashboard)
    else:
        from qdispatch_cli.commands import servers

        if name == "worker":
            app.command("worker")(servers.worker)
        else:
            extra = {"allow_extra_args": True, "ignore_unknown_options": True}
            app.command("mcp", context_settings=extra)(servers.mcp)


def build(only: str | None = None) -> typer.Typer:
    """The root app, with every command, or with `only` that one."""
    app = typer.Typer(
        name="qdispatch",
        cls=ErrorHandlingGroup,
        help=HELP,
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(root)
    for name in COMMANDS if only is None else (only,):
        _register(app, name)
    return app


def _named_command(args: list[str]) -> str | None:
    """The command a command line names, when it is the first argument (no root option
    before it: `--version` and `--help` need the whole root)."""
    return args[0] if args and args[0] in COMMANDS else None


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # the whole root, for tests and tools that import it
        whole = build()
        globals()["app"] = whole
        return whole
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    build(_named_command(sys.argv[1:]))(prog_name="qdispatch")
