"""Credentials at rest: sealed with Fernet (AES-128-CBC + HMAC-SHA256) before any store sees them.

The key comes from QDISPATCH_SECRET_KEY (shared by every worker host), or is generated once into
a file only its owner can read. Workers on several hosts must share the key.
"""

from __future__ import annotations

import os
from pathlib import Path

from qdispatch_core.ports import Cipher


class FernetCipher(Cipher):
    def __init__(self, key: str | bytes) -> None:
        from cryptography.fernet import Fernet

        self._fernet = Fernet(key)

    def seal(self, plaintext: bytes) -> bytes:
        return self._fernet.encrypt(plaintext)

    def open(self, sealed: bytes) -> bytes:
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(sealed)
        except InvalidToken:
            raise ValueError("sealed with another key, or tampered with") from None


def load_or_create_key(path: Path) -> bytes:
    """The key in `path`, created (mode 0600, atomically) when missing."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    from cryptography.fernet import Fernet

    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key
