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


def report(exc: Exception) -> int:
    """Print `exc` for a person and return the exit code."""
    from qdispatch_core.errors import QDispatchError

    if isinstance(exc, QDispatchError):
        output.error(str(exc))  # "400 shots: expected 1..100000 for …", as the contract words it
        return EXIT_REJECTED
    if os.environ.get("QDISPATCH_DEBUG"):
        raise exc
    output.error(f"{type(exc).__name__}: {exc}")
    output.hint("set QDISPATCH_DEBUG=1 to see the traceback")
    return EXIT_REJECTED


class ErrorHandlingGroup(TyperGroup):
    """The root group: every subcommand runs inside its `invoke`, so this catches them all."""

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):  # Typer's own exits and usage errors
            raise
        except Exception as exc:
            raise typer.Exit(report(exc)) from None
