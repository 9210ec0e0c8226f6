"""Options shared by many commands, declared once so every command spells them the same way."""

from __future__ import annotations

from typing import Annotated

import typer

Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="Database URL (sqlite:///path or postgresql+psycopg://…). "
        "Default: $QDISPATCH_DATABASE_URL, else the SQLite file in the user's data directory.",
        show_default=False,
    ),
]

Json = Annotated[
    bool,
    typer.Option("--json", help="Print the run contract's JSON document instead of tables."),
]
