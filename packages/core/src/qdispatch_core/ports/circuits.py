"""The circuit port: QASM text in, circuit facts out."""

from __future__ import annotations

from abc import ABC, abstractmethod

from qdispatch_core.domain import ParsedCircuit
from qdispatch_core.rules.limits import CircuitLimits


class CircuitToolkit(ABC):
    @abstractmethod
    def inspect(self, qasm: str, limits: CircuitLimits | None = None) -> ParsedCircuit:
        """Parse OpenQASM 2 or 3 and compute the circuit's analytics.

        The text is read exactly as given: the core hands in canonical text (see
        `rules.circuits.canonical_source`), so what is parsed is what the content hash names.
        No file is ever read (only the built-in includes), and no step may cost more than
        `limits` allow (the defaults when None): a source that would is refused before the
        work is done. Raises BadRequest whose message carries the parser's line and column on
        a parse error.
        """

    def draw(self, qasm: str) -> str | None:
        """A plain-text drawing of the circuit, or None when this toolkit cannot draw.

        Not abstract: drawing is for people looking at a circuit, and no use case that runs
        jobs needs it.
        """
        return None
