"""`qdispatch experiments`: named containers of circuits and jobs."""

from __future__ import annotations

from typing import Annotated

import typer

from qdispatch_cli import lookup, output, render, session
from qdispatch_cli.options import Db, Json

app = typer.Typer(help="Create, list and show experiments.", no_args_is_help=True)


@app.command()
def create(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Experiment name (unique among yours).")
    ],
    description: Annotated[str, typer.Option(metavar="TEXT", help="What it is for.")] = "",
    as_json: Json = False,
    db: Db = None,
) -> None:
    """Create an experiment; a name you already have returns that experiment."""
    from qdispatch_core import usecases
    from qdispatch_core.schemas import ExperimentView

    with session.open_app(db) as app:
        user = session.current_user(app)
        view = ExperimentView.of(usecases.create_experiment(app.services, user, name, description))
    if as_json:
        output.print_json(view)
    else:
        render.experiment(view)


@app.command("list")
def list_(as_json: Json = False, db: Db = None) -> None:
    """Your experiments."""
    from qdispatch_core import usecases
    from qdispatch_core.schemas import ExperimentView

    with session.open_app(db) as app:
        user = session.current_user(app)
        views = [ExperimentView.of(e) for e in usecases.list_experiments(app.services, user)]
    if as_json:
        output.print_json(views)
    else:
        render.experiments(views)


@app.command()
def show(
    experiment: Annotated[str, typer.Argument(metavar="NAME_OR_ID", help="Experiment name or id.")],
    as_json: Json = False,
    db: Db = None,
) -> None:
    """An experiment with its circuits and latest jobs."""
    from qdispatch_core import usecases
    from qdispatch_core.schemas import CircuitView, ExperimentView, JobSummary

    with session.open_app(db) as app:
        user = session.current_user(app)
        found = lookup.experiment(app.services, user, experiment, create=False)
        circuits = usecases.list_circuits(app.services, user, found.id, limit=100)
        jobs = usecases.list_jobs(app.services, user, found.id, limit=20)
    view = ExperimentView.of(found)
    if as_json:
        output.print_json(view)
        return
    render.experiment(view)
    output.out().print(f"\n[bold]Circuits[/] ({len(circuits)})")
    render.circuits([CircuitView.of(c) for c in circuits])
    output.out().print("\n[bold]Latest jobs[/]")
    render.jobs([JobSummary.of(j) for j in jobs])
