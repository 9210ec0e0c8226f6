""" "Did you mean …?" for names a caller mistyped: device ids, option keys, status names.

One rule for every door (MCP, CLI, library), so a typo reads the same everywhere. The closest
candidates by difflib's ratio, compared without case; a candidate that merely starts with what
was typed (a truncated id) counts as close too.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

MAX_SUGGESTIONS = 3
CUTOFF = 0.6  # difflib's default: "aer_simulato" → "aer_simulator", "shots" ↛ "seed"
MIN_PREFIX = 4  # a typed prefix shorter than this matches too much to help
NEAR_BEST = 0.1  # suggestions scoring this much below the best one are left out
MAX_WORD = 200  # longer input is not a typo of a name; comparing it would only cost time


def closest(word: str, candidates: Iterable[str], n: int = MAX_SUGGESTIONS) -> list[str]:
    """Up to `n` candidates close to `word`, best first; none when nothing is close."""
    if not isinstance(word, str) or not word or len(word) > MAX_WORD:
        return []
    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    typed = word.lower()
    if typed in by_lower:
        return [by_lower[typed]]  # differs only in case
    scored = sorted(_scores(typed, by_lower), key=lambda pair: (-pair[0], pair[1]))
    best = scored[0][0] if scored else 0.0
    # Only the near-best: "aer_simulato" suggests aer_simulator, not every *_simulator too.
    found = [k for score, k in scored[:n] if score >= max(CUTOFF, best - NEAR_BEST)]
    if len(typed) >= MIN_PREFIX:
        prefixed = sorted(k for k in by_lower if k.startswith(typed) and k not in found)
        found = (found + prefixed)[:n]
    return [by_lower[k] for k in found]


def _scores(typed: str, candidates: Iterable[str]) -> list[tuple[float, str]]:
    """difflib's ratio of each candidate at or above CUTOFF (cheap bounds first, as
    `difflib.get_close_matches` does)."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(typed)
    scores = []
    for candidate in candidates:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF:
            score = matcher.ratio()
            if score >= CUTOFF:
                scores.append((score, candidate))
    return scores


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`"; did you mean 'x'?"` (or `'x' or 'y'`), or "" when nothing is close."""
    found = closest(word, candidates)
    if not found:
        return ""
    quoted = [repr(c) for c in found]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"; did you mean {listed}?"
