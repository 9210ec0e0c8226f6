"""The root of `qdispatch`: one sub-app per noun, plus `run`, `devices`, `worker` and `mcp`.

Help is Click's plain formatter: Rich-formatted help imports Markdown and syntax highlighting
(about 0.3 s here), which would put `qdispatch --help` over its 0.25 s budget.
"""

from __future__ import annotations

from typing import Annotated

import typer

from qdispatch_cli.commands import (
    circuits,
    dashboard,
    devices,
    experiments,
    jobs,
    run,
    servers,
    users,
)
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


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"qdispatch {version('qdispatch-cli')}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    pass  # the help is HELP above; this callback exists for --version


app.command("run", no_args_is_help=True)(run.run)
app.add_typer(devices.app, name="devices")
app.add_typer(jobs.app, name="jobs")
app.add_typer(experiments.app, name="experiments")
app.add_typer(circuits.app, name="circuits")
app.add_typer(users.app, name="users")
app.command("worker")(servers.worker)
app.command("dashboard")(dashboard.dashboard)
app.command("mcp", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
    servers.mcp
)


def main() -> None:
    app(prog_name="qdispatch")
