"""Small structural predicates shared by the input-shape rules."""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable
from numbers import Real
from typing import Any

from qdispatch_core.errors import BadRequest

# An error quotes at most this much of any value (a 1 MB Pauli string, a pasted token).
QUOTE_MAX = 80
# Keys whose values are never quoted, wherever they appear in a structure.
CREDENTIAL_LIKE = re.compile(r"token|key|secret|passw|credential|auth|session", re.IGNORECASE)
# Beyond this, an integer is described by its size: printing it costs time (and Python
# refuses to print integers of more than 4300 digits at all).
_BIG_INTEGER_BITS = 256


def is_seq(x: Any) -> bool:
    """A list-like container (lists and tuples), never a string."""
    return isinstance(x, list | tuple)


def is_number(x: Any) -> bool:
    # Plain floats and ints first: a sweep checks tens of thousands of them, and the ABC check
    # below costs a microsecond each. numbers.Real admits numpy scalars without importing
    # numpy; bool is not a number here.
    kind = type(x)
    if kind is float or kind is int:
        return True
    return isinstance(x, Real) and not isinstance(x, bool)


def as_finite(x: Any) -> float | None:
    """The number as a float, or None when it is not a real number, not finite, or too large
    for a float (a 400-digit integer)."""
    if not is_number(x):
        return None
    try:
        value = float(x)
    except (OverflowError, ValueError):
        return None
    return value if math.isfinite(value) else None


def is_finite_number(x: Any) -> bool:
    return as_finite(x) is not None


def _digits(n: int) -> int:
    return int(abs(n).bit_length() * 0.30103) + 1


class _Short(reprlib.Repr):
    """reprlib's abbreviations (long strings and lists cut, deep nesting elided), with huge
    integers described and the values of credential-like keys never shown."""

    def __init__(self) -> None:
        super().__init__()
        self.maxstring = QUOTE_MAX
        self.maxother = QUOTE_MAX
        self.maxlong = 40
        self.maxlist = self.maxtuple = self.maxdict = 6
        self.maxlevel = 4

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > _BIG_INTEGER_BITS:
            return f"<an integer of about {_digits(x):,} digits>"
        return super().repr_int(x, level)

    def repr_dict(self, x: dict[Any, Any], level: int) -> str:
        if not any(isinstance(k, str) and CREDENTIAL_LIKE.search(k) for k in x):
            return super().repr_dict(x, level)
        hidden = {
            k: ("<hidden>" if isinstance(k, str) and CREDENTIAL_LIKE.search(k) else v)
            for k, v in list(x.items())[: self.maxdict + 1]
        }
        return super().repr_dict(hidden, level)


_SHORT = _Short()


def describe(x: Any, limit: int = QUOTE_MAX) -> str:
    """A short rendering of a value for an error: at most `limit` characters, abbreviated,
    never a value under a credential-like key."""
    try:
        text = _SHORT.repr(x)
    except Exception:
        text = f"<a {type(x).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(text: Any, limit: int = QUOTE_MAX) -> str:
    """A name or id from a request, quoted for an error: cut to `limit` characters, saying
    how long it was."""
    if not isinstance(text, str):
        return describe(text, limit)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"


def kind(x: Any) -> str:
    """What a value is, without any of its content: for values an error must not echo (an
    option's value may be a credential pasted into the wrong option)."""
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "true/false"
    if isinstance(x, int):
        return "an integer"
    if isinstance(x, float):
        return "a number"
    if isinstance(x, str):
        return f"a string of {len(x):,} characters"
    if isinstance(x, list | tuple):
        return f"a list of {len(x):,} items"
    if isinstance(x, dict):
        return "an object"
    return f"a {type(x).__name__}"


def split_per_circuit(
    raw: Any,
    n_circuits: int,
    entry: Callable[[Any], list[Any] | None],
    field: str,
    accepted: str,
) -> list[list[Any]]:
    """One list of items per circuit from a request field (`parameters`, `observables`).

    `entry` reads one circuit's entry (its items, or None when the entry fits no shape). One
    circuit may be given bare or as a list with its single entry; several circuits need a list
    of exactly one entry each. A shape that fits nothing is a 400 on the field (or the entry)
    ending with `accepted`, the shapes the field takes."""
    if n_circuits == 1:
        items = entry(raw)
        if items is None and is_seq(raw) and len(raw) == 1:
            items = entry(raw[0])  # the per-circuit form with its single entry
        if items is None:
            raise BadRequest(f"{field}: {describe(raw)} fits no shape; {accepted}", field=field)
        return [items]
    if not is_seq(raw) or len(raw) != n_circuits:
        got = f"a list of {len(raw)} entries" if is_seq(raw) else describe(raw)
        raise BadRequest(
            f"{field}: expected a list with exactly one entry per circuit ({n_circuits}), "
            f"got {got}; {accepted}",
            field=field,
        )
    per_circuit = []
    for i, one in enumerate(raw):
        items = entry(one)
        if items is None:
            raise BadRequest(
                f"{field}[{i}] (circuit {i + 1}): {describe(one)} fits no shape; {accepted}",
                field=f"{field}[{i}]",
            )
        per_circuit.append(items)
    return per_circuit
