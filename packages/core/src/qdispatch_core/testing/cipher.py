from __future__ import annotations

import base64

from qdispatch_core.ports import Cipher

_MAGIC = b"fake1:"


class FakeCipher(Cipher):
    """Reversible and not plaintext (so "secret not found in storage" tests mean something);
    not secure. The real one is Fernet, in the app."""

    def __init__(self, key: int = 0x5A) -> None:
        self.key = key

    def seal(self, plaintext: bytes) -> bytes:
        body = bytes([self.key]) + bytes(b ^ self.key for b in plaintext)
        return _MAGIC + base64.b64encode(body)

    def open(self, sealed: bytes) -> bytes:
        if not sealed.startswith(_MAGIC):
            raise ValueError("not sealed by this cipher")
        body = base64.b64decode(sealed[len(_MAGIC) :])
        if not body or body[0] != self.key:
            raise ValueError("sealed with another key")
        return bytes(b ^ self.key for b in body[1:])
