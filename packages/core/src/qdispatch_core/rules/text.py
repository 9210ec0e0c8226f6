"""Text fields a user names things with: length limits, and nothing a database cannot store."""

from __future__ import annotations

from qdispatch_core.errors import BadRequest
from qdispatch_core.rules._shapes import QUOTE_MAX, quote

__all__ = ["QUOTE_MAX", "check_text", "is_count", "quote", "storable"]


def is_count(value: object) -> bool:
    """An integer, and not a boolean (True is 1 to Python, never to a caller)."""
    return isinstance(value, int) and not isinstance(value, bool)


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


def check_text(value: object, field: str, *, max_length: int, required: bool = False) -> str:
    """The text, stripped when required (a name), or a 400 naming the field and the limits."""
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
    return value
