"""Bit order. qdispatch's results use Qiskit's order ("little-endian": the rightmost character
is classical bit 0); some SDKs (Braket, IonQ) write qubit 0 first ("big-endian")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

N = TypeVar("N", int, float)


def join_registers(key: str) -> str:
    """Qiskit separates classical registers with spaces ('10 1'); results use one string of
    `num_clbits` characters, still rightmost = bit 0."""
    return key.replace(" ", "")


def reverse_bits(bits: str) -> str:
    return join_registers(bits)[::-1]


def to_big_endian(little_endian: str) -> str:
    """'001' with bit 0 rightmost → '100' with bit 0 leftmost."""
    return reverse_bits(little_endian)


def to_little_endian(big_endian: str) -> str:
    """'100' with bit 0 leftmost → '001' with bit 0 rightmost (Qiskit order)."""
    return reverse_bits(big_endian)


def _merge(pairs: Sequence[tuple[str, N]]) -> dict[str, N]:
    merged: dict[str, N] = {}
    for key, value in pairs:
        merged[key] = merged.get(key, 0) + value
    return merged


def counts_to_big_endian(counts: Mapping[str, N]) -> dict[str, N]:
    return _merge([(to_big_endian(k), v) for k, v in counts.items()])


def counts_to_little_endian(counts: Mapping[str, N]) -> dict[str, N]:
    return _merge([(to_little_endian(k), v) for k, v in counts.items()])


def select_bits(counts: Mapping[str, N], first: int, width: int) -> dict[str, N]:
    """Marginal counts over classical bits first..first+width-1 (Qiskit order in and out),
    e.g. the register `measure_in_basis` appended after the circuit's own bits."""
    selected: list[tuple[str, N]] = []
    for key, value in counts.items():
        bits = join_registers(key)
        end = len(bits) - first
        if end - width < 0:
            raise ValueError(f"bitstring {key!r} has no bits {first}..{first + width - 1}")
        selected.append((bits[end - width : end], value))
    return _merge(selected)
