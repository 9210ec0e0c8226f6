"""Text fields a user names things with: length limits, nothing a database cannot store, and
no control characters.

Names and descriptions are printed at terminals (`qdispatch jobs list`) and in pages; a control
character there is at best noise and at worst an escape sequence that rewrites what a reader
sees (a forged status, a hidden line). So C0 (U+0000–U+001F), DEL and C1 (U+0080–U+009F) are
refused, except tab and newline in multi-line text such as descriptions.
"""

from __future__ import annotations

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules._shapes import QUOTE_MAX, quote

__all__ = ["QUOTE_MAX", "check_text", "is_count", "quote", "storable"]


def is_count(value: object) -> bool:
    """An integer, and not a boolean (True is 1 to Python, never to a caller)."""
    return isinstance(value, int) and not isinstance(value, bool)


MULTILINE_ALLOWED = frozenset("\t\n")


def is_control(character: str) -> bool:
    """C0, DEL or C1: the characters a terminal may act on instead of printing."""
    code = ord(character)
    return code < 0x20 or 0x7F <= code <= 0x9F


def first_control(value: str, allowed: frozenset[str] = frozenset()) -> int | None:
    """The index of the first control character not in `allowed`, or None."""
    return next(
        (i for i, c in enumerate(value) if is_control(c) and c not in allowed),
        None,
    )


def storable(value: str) -> bool:
    """False for NUL characters (PostgreSQL text cannot hold them) and lone surrogates (UTF-8
    cannot encode them)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_text(
    value: object,
    field: str,
    *,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """The text, stripped when required (a name), or a 400 naming the field and the rule.

    `multiline` text (descriptions) may hold tabs and newlines; no text holds other control
    characters. The message gives the character's code point and position, never the text.
    """
    if not isinstance(value, str):
        raise BadRequest(f"{field}: expected text, got {type(value).__name__}", field=field)
    if required:
        value = value.strip()
        if not value or len(value) > max_length:
            raise BadRequest(f"{field}: expected 1..{max_length} characters", field=field)
    elif len(value) > max_length:
        raise BadRequest(f"{field}: expected at most {max_length} characters", field=field)
    if not storable(value):
        raise BadRequest(f"{field}: contains a NUL character or invalid Unicode", field=field)
    at = first_control(value, MULTILINE_ALLOWED if multiline else frozenset())
    if at is not None:
        allowed = "printable text, tabs and newlines" if multiline else "printable text only"
        raise BadRequest(
            f"{field}: control character U+{ord(value[at]):04X} at position {at}; "
            f"expected {allowed}",
            field=field,
        )
    return value
