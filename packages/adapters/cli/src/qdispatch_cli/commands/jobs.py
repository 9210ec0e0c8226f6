"""`qdispatch jobs`: list, show, wait for, cancel, export and plot jobs."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qdispatch_cli import errors, lookup, output, render, results, session, waiting
from qdispatch_cli.options import Db, Json

if TYPE_CHECKING:
    from qdispatch import App
    from qdispatch_core.domain import User
    from qdispatch_core.schemas import JobView

app = typer.Typer(help="List, show, wait for, cancel, export and plot jobs.", no_args_is_help=True)

JobId = Annotated[
    str, typer.Argument(metavar="JOB_ID", help="A job id (job_…).", show_default=False)
]


@app.command("list")
def list_(
    experiment: Annotated[
        str | None, typer.Option(metavar="NAME|ID", help="Only this experiment (name or id).")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            metavar="STATUS",
            help="Only jobs in this status (any case): Submitted, Queued, Running, Done, "
            "Error, Cancelled, …",
        ),
    ] = None,
    dry_run: Annotated[
        bool | None,
        typer.Option(
            "--dry-run/--no-dry-run",
            help="Only dry runs, or only real runs (default: both).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int, typer.Option(metavar="N", help="At most this many, newest first.")] = 20,
    as_json: Json = False,
    db: Db = None,
) -> None:
    """Your jobs, newest first. Dry runs read `dry run`, and their prices `est. $…`."""
    from qdispatch_core import usecases
    from qdispatch_core.schemas import JobSummary

    wanted = lookup.status(status) if status else None
    with session.open_app(db) as app:
        user = session.current_user(app)
        found_experiment = (
            lookup.experiment(app.services, user, experiment, create=False) if experiment else None
        )
        experiment_id = found_experiment.id if found_experiment else None
        found = usecases.list_jobs(app.services, user, experiment_id, wanted, limit, dry_run)
        summaries = [JobSummary.of(j) for j in found]
    if as_json:
        output.print_json(summaries)
        return
    filters = [f"status {getattr(wanted, 'value', wanted)}"] if wanted else []
    if found_experiment is not None:
        filters.append(f"in experiment {found_experiment.name!r}")
    if dry_run is not None:
        filters.append("that are dry runs" if dry_run else "that are real runs")
    render.jobs(summaries, " ".join(filters))


AllRows = Annotated[
    bool,
    typer.Option("--all", help="Every row of long result tables (by default their head and tail)."),
]


@app.command()
def show(
    job_id: JobId,
    logs: Annotated[bool, typer.Option("--logs", help="Also print the job's log.")] = False,
    ran: Annotated[
        bool,
        typer.Option(
            "--ran",
            help="Only what ran: each program as sent to the device, its layout (virtual → "
            "physical qubits, classical bits → physical qubits), seeds and SDK versions.",
        ),
    ] = False,
    all_rows: AllRows = False,
    as_json: Json = False,
    db: Db = None,
) -> None:
    """A job: status, progress, cost, and its results when it is done."""
    with session.open_app(db) as app:
        user = session.current_user(app)
        job = waiting.read(app, user, job_id)
        if ran:
            record = (job.plan or {}).get("ran")
            if as_json:
                output.print_json(record)
            else:
                render.ran(record)
            return
        render_job(app, user, job, as_json, logs=logs, all_rows=all_rows)


@app.command()
def wait(
    job_id: JobId,
    timeout: Annotated[
        float | None,
        typer.Option(metavar="SECONDS", help="Give up after this many seconds (exit code 4)."),
    ] = None,
    all_rows: AllRows = False,
    as_json: Json = False,
    db: Db = None,
) -> None:
    """Wait for a job with live progress, then print it with its results.

    Exit code 0 when it is Done, 3 when it ended Error or Cancelled, 4 on --timeout. Ctrl-C stops
    waiting; the job goes on.
    """
    with session.open_app(db) as app:
        user = session.current_user(app)
        job = waiting.read(app, user, job_id)
        if job.status not in output.FINAL_STATUSES:
            waiting.keep_running(app)  # the worker may have exited while idle
        try:
            job = waiting.follow(app, user, job_id, timeout=timeout, live=not as_json)
        except waiting.StillRunning as late:
            output.error(
                f"job {job_id} is still {late.job.status} after {timeout:g} s; "
                f"keep following it with: qdispatch jobs wait {job_id}"
            )
            raise typer.Exit(errors.EXIT_TIMEOUT) from None
        except KeyboardInterrupt:
            output.error(f"stopped waiting; job {job_id} goes on: qdispatch jobs wait {job_id}")
            raise typer.Exit(errors.EXIT_INTERRUPTED) from None
        render_job(app, user, job, as_json, all_rows=all_rows)
    if job.status in ("Error", "Cancelled"):
        raise typer.Exit(errors.EXIT_JOB_FAILED)


@app.command()
def cancel(job_id: JobId, as_json: Json = False, db: Db = None) -> None:
    """Cancel a job: at once if no provider holds it yet, else through its worker."""
    from qdispatch_core import usecases

    with session.open_app(db) as app:
        job = usecases.cancel_job(app.services, session.current_user(app), job_id).job
    if as_json:
        output.print_json(job)
    elif job.status == "Cancelled":
        output.out().print(f"Job {job.id} is {output.status_text('Cancelled')}.")
    elif job.status in output.FINAL_STATUSES:
        output.out().print(f"Job {job.id} had already ended {output.status_text(job.status)}.")
    else:
        output.out().print(
            f"Cancellation of job {job.id} requested; the worker holding it stops it at the "
            f"provider. Follow it with: qdispatch jobs wait {job.id}"
        )


@app.command()
def recompute(
    job_id: JobId, all_rows: AllRows = False, as_json: Json = False, db: Db = None
) -> None:
    """Derive a Done job's expectation values, uncertainties and mitigation again from its
    stored outputs and readout calibration, as a new version of its results (the earlier ones
    are kept). Runs nothing, contacts no provider, charges nothing."""
    from qdispatch_core import usecases

    with session.open_app(db) as app:
        user = session.current_user(app)
        found = waiting.read(app, user, job_id)
        job = usecases.recompute_job(app.services, user, found.id).job
        if as_json:
            output.print_json(job)
            return
        render_job(app, user, job, False, all_rows=all_rows)
        output.out().print(render.esc(job.logs[-1].split(" ", 1)[1]))


@app.command()
def plot(
    job_id: JobId,
    output_file: Annotated[
        Path,
        typer.Option(
            "--output",
            "-O",
            metavar="FILE.png",
            help="Where to write the picture (PNG, or any format matplotlib knows by suffix).",
            dir_okay=False,
            show_default=False,
        ),
    ],
    db: Db = None,
) -> None:
    """Draw a done job's results: expectation values against the swept parameter (a line per
    observable, with error bars; a heat map for a 2-D grid), or histograms of counts."""
    from rich.text import Text

    from qdispatch_cli import plot as plotting

    with session.open_app(db) as app:
        user = session.current_user(app)
        job = waiting.read(app, user, job_id)
        plotting.plot_job(job, output_file, parameter_names(app, user, job))
    output.out().print(Text(f"Wrote {output_file}"))


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    parquet = "parquet"


@app.command("export")
def export_(
    job_id: JobId,
    format_: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv, json (records) or parquet.")
    ] = ExportFormat.csv,
    output_file: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-O",
            metavar="FILE",
            help="Where to write (default: standard output; parquet needs a file).",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    db: Db = None,
) -> None:
    """Write a done job's results in long format, one row per value: circuit, observable,
    parameter set, parameter values, value and standard error (or bitstring and count)."""
    from rich.text import Text

    from qdispatch_cli import export

    with session.open_app(db) as app:
        user = session.current_user(app)
        job = waiting.read(app, user, job_id)
        rows = export.rows(job, parameter_names(app, user, job))
    export.write(rows, format_.value, output_file)
    if output_file is not None:
        output.err().print(Text(f"Wrote {len(rows.records):,} rows to {output_file}"))


# -- shared with `run` ------------------------------------------------------------------------


def render_job(
    app: App,
    user: User,
    job: JobView,
    as_json: bool,
    *,
    logs: bool = False,
    all_rows: bool = False,
) -> None:
    """A job for a person (summary, plan, results) or as the contract's JSON document."""
    if as_json:
        output.print_json(job)
        return
    render.job(job)
    if job.dry_run:  # the plan is a dry run's result; for a real run it is bookkeeping
        render.plan(job.plan)
    results.show(job, parameter_names(app, user, job), all_rows=all_rows)
    if logs or job.status == "Error":
        render.logs(job.logs)
    if job.status not in output.FINAL_STATUSES:
        output.hint(f"\nStill {job.status}: qdispatch jobs wait {job.id}")


def parameter_names(app: App, user: User, job: JobView) -> dict[str, tuple[str, ...]]:
    """Each parameterised circuit's parameter names, to label parameter sets by name."""
    if job.parameters is None or job.results is None:
        return {}
    from qdispatch_core import usecases

    return {
        cid: usecases.get_circuit(app.services, user, cid).analytics.parameter_names
        for cid in dict.fromkeys(job.circuit_ids)
    }
