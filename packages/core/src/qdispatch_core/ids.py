"""Identifiers: short, prefixed, URL-safe, so a pasted id tells what it names."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    # 16 random bytes as hex: collision-free in practice and easy to copy from a terminal.
    return f"{prefix}_{secrets.token_hex(8)}{secrets.token_hex(8)}"


def new_api_key() -> str:
    return f"qdk_{secrets.token_urlsafe(32)}"


# What each prefix names. Text with one of these prefixes is read as an id wherever a name is
# also accepted, so a mistyped or truncated id is a 404, never a new thing with an odd name.
ID_PREFIXES = {"exp": "experiment", "cir": "circuit", "job": "job"}


def id_kind(text: str) -> str | None:
    """ "experiment", "circuit" or "job" when `text` is shaped like that kind of id."""
    prefix, sep, _ = text.partition("_")
    return ID_PREFIXES.get(prefix) if sep else None
