"""`qdispatch circuits`: store OpenQASM circuits and read their analytics."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdispatch_cli import inputs, lookup, output, render, session
from qdispatch_cli.options import Db, Json

app = typer.Typer(help="Add, list and show circuits (with analytics).", no_args_is_help=True)


@app.command()
def add(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE.qasm…",
            help="OpenQASM 2.0 or 3.0 files ('-' reads standard input).",
            show_default=False,
        ),
    ],
    experiment: Annotated[
        str, typer.Option(metavar="NAME|ID", help="Experiment name (created when new) or id.")
    ] = lookup.DEFAULT_EXPERIMENT,
    name: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="Circuit name (one file); default: the file's stem."),
    ] = None,
    description: Annotated[str, typer.Option(metavar="TEXT", help="Circuit description.")] = "",
    as_json: Json = False,
    db: Db = None,
) -> None:
    """Store circuits and print their analytics; the same source twice is one circuit.

    Each circuit is named after its file (ansatz.qasm → ansatz) unless --name is given. Run
    them later with: qdispatch run --circuit-id CIRCUIT_ID --device …
    """
    from qdispatch_core import usecases
    from qdispatch_core.schemas import CircuitView

    if name is not None and len(files) > 1:
        raise typer.BadParameter(
            "--name names one circuit; with several files each is named after its file",
            param_hint="--name",
        )
    sources = [
        (inputs.read_qasm(f), name if name is not None else inputs.circuit_name(f)) for f in files
    ]
    with session.open_app(db) as app:
        user = session.current_user(app)
        found = lookup.experiment(app.services, user, experiment, create=True)
        views = []
        for (qasm, title), path in zip(sources, files, strict=True):
            with inputs.naming_files([("circuit_qasm", path)]):
                circuit = usecases.submit_circuit(
                    app.services, user, found.id, qasm, title, description
                )
            views.append(CircuitView.of(circuit))
    if as_json:
        output.print_json(views[0] if len(views) == 1 else views)
        return
    for i, view in enumerate(views):
        if i:
            output.out().print()
        render.circuit(view)


@app.command("list")
def list_(
    experiment: Annotated[
        str | None,
        typer.Option(metavar="NAME|ID", help="Only this experiment (default: all of yours)."),
    ] = None,
    limit: Annotated[int, typer.Option(metavar="N", help="At most this many.")] = 50,
    as_json: Json = False,
    db: Db = None,
) -> None:
    """Your circuits, newest first: all of them, or one experiment's."""
    from qdispatch_core import usecases
    from qdispatch_core.schemas import CircuitView

    with session.open_app(db) as app:
        user = session.current_user(app)
        found = (
            lookup.experiment(app.services, user, experiment, create=False) if experiment else None
        )
        circuits = usecases.list_circuits(app.services, user, found.id if found else None, limit)
        views = [CircuitView.of(c) for c in circuits]
    if as_json:
        output.print_json(views)
    else:
        render.circuits(views, f"in experiment {found.name!r}" if found else "")


@app.command()
def show(
    circuit_id: Annotated[str, typer.Argument(metavar="CIRCUIT_ID", help="A circuit id (cir_…).")],
    qasm: Annotated[bool, typer.Option("--qasm", help="Also print the OpenQASM source.")] = False,
    as_json: Json = False,
    db: Db = None,
) -> None:
    """A circuit's analytics: qubits, depth, gate counts, parameters, measurements."""
    from qdispatch_core import usecases
    from qdispatch_core.schemas import CircuitView

    with session.open_app(db) as app:
        circuit = usecases.get_circuit(app.services, session.current_user(app), circuit_id)
    view = CircuitView.of(circuit, with_source=True)
    if as_json:
        output.print_json(view)
        return
    render.circuit(view)
    if qasm:
        output.out().print()
        output.out().print(output.clean(view.qasm or "", multiline=True), markup=False)
