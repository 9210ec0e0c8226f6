"""Exit codes, and the one place where exceptions become messages.

A refused request is the run contract's message on stderr and exit code 1; a usage error is
Typer's message and exit code 2; a user never sees a traceback for their own mistake.
"""

from __future__ import annotations

import os

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from qdispatch_cli import output

EXIT_REJECTED = 1  # the core refused the request (400/401/402/404/409), or something broke
EXIT_USAGE = 2  # Typer's code for bad arguments
EXIT_JOB_FAILED = 3  # a waited-for job ended Error or Cancelled
EXIT_TIMEOUT = 4  # `jobs wait --timeout` ran out before the job ended
EXIT_INTERRUPTED = 130  # Ctrl-C while waiting: the job goes on


# The core words its messages for every door; at a terminal the MCP tools and request fields
# they name read as the commands and flags a person types instead.
CLI_WORDS = (
    (
        " in options (or in the provider SDK's usual environment variables)",
        " in --credentials-file FILE or in environment variables named after them in capitals "
        "(or in the provider SDK's usual environment variables)",
    ),
    ("call list_qpus_and_simulators (or `qdispatch devices`)", "run `qdispatch devices`"),
    ("list_qpus_and_simulators", "`qdispatch devices`"),
    ("get_job_results_and_status", "`qdispatch jobs show`"),
    ("wait_for_job", "`qdispatch jobs wait`"),
    ("create_new_experiment", "`qdispatch experiments create`"),
    ("list_circuits_in_experiment", "`qdispatch circuits list`"),
    ("list_experiments", "`qdispatch experiments list`"),
    ("run_circuits_on_qpu_or_simulator", "`qdispatch run`"),
    ("dry_run=true", "--dry-run"),
    ("dry_run=false", "no --dry-run"),
)


def cli_words(message: str) -> str:
    for mcp, cli in CLI_WORDS:
        message = message.replace(mcp, cli)
    return message


def report(exc: Exception) -> int:
    """Print `exc` for a person and return the exit code."""
    from qdispatch_core.errors import QDispatchError

    if isinstance(exc, QDispatchError):
        # "400 shots: expected 1..100000 for …", as the contract words it
        output.error(cli_words(str(exc)))
        return EXIT_REJECTED
    if os.environ.get("QDISPATCH_DEBUG"):
        raise exc
    output.error(f"{type(exc).__name__}: {exc}")
    output.hint("set QDISPATCH_DEBUG=1 to see the traceback")
    return EXIT_REJECTED


def _cleaned(exc: TyperException) -> TyperException:
    """A usage error whose message may quote what was typed (`No such option: …`), with any
    control character in it made visible."""
    message = getattr(exc, "message", None)
    if isinstance(message, str):
        exc.message = output.clean(message, multiline=True)
    return exc


class ErrorHandlingGroup(TyperGroup):
    """The root group: every subcommand runs inside its `invoke`, so this catches them all."""

    def make_context(self, *args, **kwargs):
        from qdispatch_cli.coercion import prepare

        prepare(self)  # plain options (of every command) convert without importing pydantic
        try:
            return super().make_context(*args, **kwargs)
        except TyperException as exc:
            raise _cleaned(exc) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):  # Typer's own exits
            raise
        except TyperException as exc:  # usage errors
            raise _cleaned(exc) from None
        except Exception as exc:
            raise typer.Exit(report(exc)) from None
