"""`qdispatch users`: accounts, API keys and balances (for whoever administers the database)."""

from __future__ import annotations

from typing import Annotated

import typer

from qdispatch_cli import output, render, session
from qdispatch_cli.options import Db, Json

app = typer.Typer(help="Create users (with API keys), list them, add credit.", no_args_is_help=True)


@app.command()
def create(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A unique user name.")],
    credits: Annotated[str, typer.Option(metavar="USD", help="Starting balance in USD.")] = "0",
    as_json: Json = False,
    db: Db = None,
) -> None:
    """Create a user and print their API key, once: only its hash is stored."""
    from qdispatch_core import usecases

    with session.open_app(db) as app:
        user, key = usecases.create_user(app.services, name, credits)
    if as_json:
        output.print_json({"id": user.id, "name": user.name, "api_key": key, "credits": credits})
        return
    output.out().print(f"Created user [bold]{render.esc(user.name)}[/] ({user.id}).")
    output.out().print(f"API key: [bold]{key}[/]", soft_wrap=True)
    output.err().print(
        "[yellow]warning:[/] store this key now: it will not be shown again (only its hash is "
        "kept). Send it as 'Authorization: Bearer <key>' to the MCP server over HTTP, or set "
        "QDISPATCH_API_KEY to act as this user here.",
        soft_wrap=True,
    )


@app.command("list")
def list_(as_json: Json = False, db: Db = None) -> None:
    """Every user with their balance."""
    from qdispatch_core import usecases

    with session.open_app(db) as app:
        rows = usecases.list_users(app.services)
    if as_json:
        output.print_json(
            [
                {
                    "id": u.id,
                    "name": u.name,
                    "balance_usd": str(balance),
                    "created_at": u.created_at.isoformat(),
                }
                for u, balance in rows
            ]
        )
    else:
        render.users(rows)


@app.command()
def credit(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The user's name.")],
    amount: Annotated[str, typer.Argument(metavar="USD", help="Amount to add, in USD.")],
    as_json: Json = False,
    db: Db = None,
) -> None:
    """Add funds to a user's balance."""
    from qdispatch_core import usecases

    with session.open_app(db) as app:
        balance = usecases.credit_user(app.services, name, amount)
    if as_json:
        output.print_json({"name": name, "balance_usd": str(balance)})
    else:
        output.out().print(f"Balance of {render.esc(name)}: ${balance:,.2f}")
