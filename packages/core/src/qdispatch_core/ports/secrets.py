"""The cipher port: how credentials are sealed before they reach any store."""

from __future__ import annotations

from abc import ABC, abstractmethod


class Cipher(ABC):
    @abstractmethod
    def seal(self, plaintext: bytes) -> bytes: ...

    @abstractmethod
    def open(self, sealed: bytes) -> bytes:
        """Raises ValueError when the data was sealed with another key or was tampered with."""
