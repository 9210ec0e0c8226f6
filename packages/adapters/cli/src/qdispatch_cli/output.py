"""Where output goes: tables and results to stdout, errors and live progress to stderr, so
`--json` output and redirected results stay clean.

Nothing that came from outside (names, descriptions, provider messages, logs, circuit sources,
file names, old data stored before control characters were refused) reaches the terminal as
a control character: `clean` writes each as a visible escape (`\\x1b`), and the consoles pass
every piece of text through it, so an escape sequence in a job name can neither restyle the
screen nor forge a line.
"""

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

# Every C0 control, DEL and every C1 control, as the escape a Python string would show.
_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_ESCAPES_KEEP_LINES = {c: e for c, e in _ESCAPES.items() if chr(c) not in "\n\t"}


def clean(text: str, *, multiline: bool = False) -> str:
    """`text` with every control character written as a visible escape (`\\x1b`); newlines
    and tabs stay when `multiline`."""
    return text.translate(_ESCAPES_KEEP_LINES if multiline else _ESCAPES)


def _safe_console_class() -> type:
    from rich.console import Console
    from rich.segment import Segment

    class SafeConsole(Console):
        """A console that escapes control characters in every piece of text it prints.

        Rich's own cursor and colour codes travel in control segments or styles, which are
        left alone; only the text between them is cleaned (Rich's line breaks stay)."""

        def _render_buffer(self, buffer: Iterable[Segment]) -> str:
            cleaned = (
                segment
                if segment.control
                else Segment(clean(segment.text, multiline=True), segment.style)
                for segment in buffer
            )
            return super()._render_buffer(cleaned)

    return SafeConsole


@cache
def out() -> Console:
    piped = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    # emoji off: a name holding ":smile:" is shown as typed, and emoji codes cost an import.
    return _safe_console_class()(highlight=False, emoji=False, width=PIPED_WIDTH if piped else None)


@cache
def err() -> Console:
    return _safe_console_class()(stderr=True, highlight=False, emoji=False)


def print_json(
    document: BaseModel | Iterable[BaseModel] | dict[str, Any] | list[Any] | None,
) -> None:
    """The document exactly as the run contract's views serialise it (`model_dump(mode="json")`).

    JSON escapes control characters itself (`\\u001b`), so the document needs no cleaning."""
    if document is not None and hasattr(document, "model_dump_json"):
        # Serialised straight from the model: no second copy of a large job's results as
        # Python objects before the text (a 22-qubit state vector is 8 million floats).
        text = document.model_dump_json(indent=2)
        sys.stdout.write(text)
        sys.stdout.write("\n")
        return
    if document is None or isinstance(document, dict):
        data: Any = document  # None: `null` (e.g. no record of what ran)
    else:
        data = [d.model_dump(mode="json") if hasattr(d, "model_dump") else d for d in document]
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def status_text(status: str) -> str:
    """Rich markup for a job status, coloured by outcome."""
    return f"[{STATUS_STYLES.get(status, 'cyan')}]{status}[/]"


def error(message: str) -> None:
    from rich.text import Text

    # Text, not markup: messages quote JSON paths such as `parameters[0]` verbatim.
    err().print(
        Text.assemble(("error:", "red"), " ", clean(message, multiline=True)), soft_wrap=True
    )


def hint(message: str) -> None:
    from rich.text import Text

    err().print(Text(clean(message, multiline=True), style="dim"), soft_wrap=True)
