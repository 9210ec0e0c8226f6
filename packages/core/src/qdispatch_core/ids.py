"""Identifiers: short, prefixed, URL-safe, so a pasted id tells what it names."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    # 16 random bytes as hex: collision-free in practice and easy to copy from a terminal.
    return f"{prefix}_{secrets.token_hex(8)}{secrets.token_hex(8)}"


def new_api_key() -> str:
    return f"qdk_{secrets.token_urlsafe(32)}"
