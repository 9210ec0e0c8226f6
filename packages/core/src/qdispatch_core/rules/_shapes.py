"""Small structural predicates shared by the input-shape rules."""

from __future__ import annotations

import math
from numbers import Real
from typing import Any


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


def is_finite_number(x: Any) -> bool:
    return is_number(x) and math.isfinite(float(x))


def describe(x: Any, limit: int = 60) -> str:
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."
