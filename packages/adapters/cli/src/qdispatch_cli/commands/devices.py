"""`qdispatch devices`: what can run circuits, one line each, without importing any vendor SDK
(or pydantic, or the database); `devices show ID` (or `devices ID`) tells everything about one.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer.core import TyperGroup

from qdispatch_cli import output, session
from qdispatch_cli.options import Db, Json


class DevicesGroup(TyperGroup):
    """`qdispatch devices ID` is `qdispatch devices show ID`."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["show", *args]
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=DevicesGroup,
    invoke_without_command=True,
    help="List the devices (one line each), or show everything about one: devices show ID.",
)


@app.callback()
def devices(
    ctx: typer.Context,
    provider: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Only this provider: aer, ibm, braket, ionq, …"),
    ] = None,
    simulators: Annotated[bool, typer.Option("--simulators", help="Only simulators.")] = False,
    qpus: Annotated[bool, typer.Option("--qpus", help="Only QPUs.")] = False,
    local: Annotated[
        bool, typer.Option("--local", help="Only devices that run on this machine.")
    ] = False,
    min_qubits: Annotated[
        int | None, typer.Option(metavar="N", help="Only devices with at least N qubits.")
    ] = None,
    as_json: Json = False,
    db: Db = None,
) -> None:
    """List the devices: kind, qubits, status and price, simulators first.

    \b
    Everything about one device (options and their ranges, gates, coupling map, pricing,
    credentials): qdispatch devices show ID
    """
    if ctx.invoked_subcommand is not None:
        return
    from qdispatch_cli.device_views import DeviceFilter, listing
    from qdispatch_core import usecases

    wanted = DeviceFilter(provider, simulators, qpus, local, min_qubits)
    with session.open_backends(db) as backends:
        found = [d for d in usecases.list_devices_in(backends, provider) if wanted.keeps(d)]
    if as_json:
        from qdispatch_core.schemas import DeviceView

        output.print_json([DeviceView.of(d) for d in found])
        return
    width, colour = _terminal()
    sys.stdout.write("".join(line + "\n" for line in listing(found, width, colour=colour)))
    if not found and wanted == DeviceFilter(provider):
        installed = f"provider {provider!r} is not installed" if provider else "no provider"
        output.hint(f"no devices: {installed}; e.g. pip install qdispatch-aer")
    elif not found:
        output.hint(f"no devices match: {wanted.describe()}")


def _terminal() -> tuple[int, bool]:
    """The listing's width and whether to colour it, as Rich would decide (without importing
    it): $COLUMNS, else the terminal's width, else 120 when piped; colour only on a terminal
    and unless NO_COLOR is set."""
    import os
    import shutil

    tty = sys.stdout.isatty()
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        width = int(columns)
    else:
        width = shutil.get_terminal_size((output.PIPED_WIDTH, 24)).columns if tty else 0
        width = width or output.PIPED_WIDTH
    colour = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    return width, colour


@app.command()
def show(
    device_id: Annotated[
        str, typer.Argument(metavar="ID", help="A device id from `qdispatch devices`.")
    ],
    as_json: Json = False,
    db: Db = None,
) -> None:
    """Everything about one device: options and their ranges, basis gates, coupling map,
    pricing, credentials."""
    from qdispatch_core import usecases

    with session.open_backends(db) as backends:
        device = usecases.get_device_in(backends, device_id)
    if as_json:
        from qdispatch_core.schemas import DeviceView

        output.print_json(DeviceView.of(device))
        return
    from qdispatch_cli.device_views import detail

    console = output.out()
    for renderable in detail(device):
        console.print(renderable)
