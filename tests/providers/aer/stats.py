"""Statistical bounds for sampled results: tight enough that a wrong distribution fails."""

from __future__ import annotations

import math

SIGMAS = 5.0


def binomial_bound(shots: int, p: float) -> float:
    """How far a count of an outcome of probability p may stray from shots·p (5 sigma)."""
    return SIGMAS * math.sqrt(shots * p * (1 - p))


def within_binomial(count: int, shots: int, p: float) -> bool:
    return abs(count - shots * p) <= binomial_bound(shots, p)
