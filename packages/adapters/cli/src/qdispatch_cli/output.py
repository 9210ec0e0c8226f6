"""Where output goes: tables and results to stdout, errors and live progress to stderr, so
`--json` output and redirected results stay clean."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel
    from rich.console import Console

STATUS_STYLES = {
    "Done": "green",
    "Error": "red",
    "Cancelled": "yellow",
}
FINAL_STATUSES = frozenset(STATUS_STYLES)
PIPED_WIDTH = 120  # Rich would use 80 columns off a terminal and fold every id in two


@cache
def out() -> Console:
    from rich.console import Console

    piped = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(highlight=False, width=PIPED_WIDTH if piped else None)


@cache
def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def print_json(document: BaseModel | Iterable[BaseModel] | dict[str, Any] | list[Any]) -> None:
    """The document exactly as the run contract's views serialise it (`model_dump(mode="json")`)."""
    if hasattr(document, "model_dump_json"):
        # Serialised straight from the model: no second copy of a large job's results as
        # Python objects before the text (a 22-qubit state vector is 8 million floats).
        text = document.model_dump_json(indent=2)  # type: ignore[union-attr]
        sys.stdout.write(text)
        sys.stdout.write("\n")
        return
    if isinstance(document, dict):
        data: Any = document
    else:
        data = [d.model_dump(mode="json") if hasattr(d, "model_dump") else d for d in document]
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def status_text(status: str) -> str:
    """Rich markup for a job status, coloured by outcome."""
    return f"[{STATUS_STYLES.get(status, 'cyan')}]{status}[/]"


def error(message: str) -> None:
    from rich.text import Text

    # Text, not markup: messages quote JSON paths such as `parameters[0]` verbatim.
    err().print(Text.assemble(("error:", "red"), " ", message), soft_wrap=True)


def hint(message: str) -> None:
    from rich.text import Text

    err().print(Text(message, style="dim"), soft_wrap=True)
