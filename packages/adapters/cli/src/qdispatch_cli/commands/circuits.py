"""`qdispatch circuits`: store OpenQASM circuits and read their analytics."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdispatch_cli import inputs, lookup, output, render, session
from qdispatch_cli.options import Db, Json

app = typer.Typer(help="Add, list and show circuits (with analytics).", no_args_is_help=True)

Experiment = Annotated[str, typer.Option(metavar="NAME|ID", help="Experiment name or id.")]


@app.command()
def add(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.qasm",
            help="An OpenQASM 2.0 or 3.0 file ('-' reads standard input).",
            show_default=False,
        ),
    ],
    experiment: Annotated[
        str, typer.Option(metavar="NAME|ID", help="Experiment name (created when new) or id.")
    ] = lookup.DEFAULT_EXPERIMENT,
    name: Annotated[str, typer.Option(metavar="TEXT", help="Circuit name.")] = "",
    description: Annotated[str, typer.Option(metavar="TEXT", help="Circuit description.")] = "",
    as_json: Json = False,
    db: Db = None,
) -> None:
    """Store a circuit and print its analytics; the same source twice is one circuit.

    Run it later with: qdispatch run --circuit-id CIRCUIT_ID --device …
    """
    from qdispatch_core import usecases
    from qdispatch_core.schemas import CircuitView

    qasm = inputs.read_qasm(file)
    with session.open_app(db) as app:
        user = session.current_user(app)
        found = lookup.experiment(app.services, user, experiment, create=True)
        circuit = usecases.submit_circuit(app.services, user, found.id, qasm, name, description)
    view = CircuitView.of(circuit)
    if as_json:
        output.print_json(view)
    else:
        render.circuit(view)


@app.command("list")
def list_(
    experiment: Experiment = lookup.DEFAULT_EXPERIMENT,
    limit: Annotated[int, typer.Option(metavar="N", help="At most this many.")] = 50,
    as_json: Json = False,
    db: Db = None,
) -> None:
    """The circuits of an experiment."""
    from qdispatch_core import usecases
    from qdispatch_core.schemas import CircuitView

    with session.open_app(db) as app:
        user = session.current_user(app)
        found = lookup.experiment(app.services, user, experiment, create=False)
        views = [
            CircuitView.of(c) for c in usecases.list_circuits(app.services, user, found.id, limit)
        ]
    if as_json:
        output.print_json(views)
    else:
        render.circuits(views)


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
        output.out().print(view.qasm, markup=False, highlight=False)
