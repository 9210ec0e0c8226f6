"""`qdispatch devices`: what can run circuits, without importing any vendor SDK."""

from __future__ import annotations

from typing import Annotated

import typer

from qdispatch_cli import output, render, session
from qdispatch_cli.options import Db, Json


def devices(
    provider: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Only this provider: aer, ibm, braket, ionq, …"),
    ] = None,
    as_json: Json = False,
    db: Db = None,
) -> None:
    """List the devices: qubits, run types, credentials needed, price.

    Every installed provider's devices, simulators first.
    """
    from qdispatch_core import usecases
    from qdispatch_core.schemas import DeviceView

    with session.open_app(db) as app:
        views = [DeviceView.of(d) for d in usecases.list_devices(app.services, provider)]
    if as_json:
        output.print_json(views)
    else:
        render.devices(views)
