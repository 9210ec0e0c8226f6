"""Short texts for people: one observable as a formula (shared by the library and the CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def observable_label(observable: Sequence[Any]) -> str:
    """`[["ZZ", "XX"], [1.0, -0.5]]` → `ZZ - 0.5·XX`."""
    paulis, coefficients = observable
    text = ""
    for pauli, coefficient in zip(paulis, coefficients, strict=False):
        sign = "-" if coefficient < 0 else "+"
        magnitude = abs(coefficient)
        term = pauli if magnitude == 1 else f"{magnitude:g}·{pauli}"
        text += (f" {sign} " if text else ("-" if sign == "-" else "")) + term
    return text
