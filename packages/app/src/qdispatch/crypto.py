"""Credentials at rest: sealed with Fernet (AES-128-CBC + HMAC-SHA256) before any store sees them.

The key comes from QDISPATCH_SECRET_KEY (shared by every worker host), or is generated once into
a file only its owner can read. Workers on several hosts must share the key.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from qdispatch_core.files import private_dir, tighten
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
    """The key in `path`, created (mode 0600) when missing.

    The key is written to a private temporary file and hard-linked into place: the link appears
    complete or not at all, so a process racing us never reads a half-written key, and the
    first link wins.
    """
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    from cryptography.fernet import Fernet

    private_dir(path.parent, tighten_existing=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(Fernet.generate_key())
        with contextlib.suppress(FileExistsError):  # another process won the race: use its key
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    tighten(path)  # a key file someone copied in with a lax mode
    key = path.read_bytes().strip()
    if not key:
        raise ValueError(f"the key file {path} is empty; delete it to generate a new key")
    return key
