"""The circuit port: QASM text in, circuit facts out."""

from __future__ import annotations

from abc import ABC, abstractmethod

from qdispatch_core.domain import ParsedCircuit


class CircuitToolkit(ABC):
    @abstractmethod
    def inspect(self, qasm: str) -> ParsedCircuit:
        """Parse OpenQASM 2 or 3 and compute the circuit's analytics.

        Raises BadRequest whose message carries the parser's line and column on a parse error.
        """

    def draw(self, qasm: str) -> str | None:
        """A plain-text drawing of the circuit, or None when this toolkit cannot draw.

        Not abstract: drawing is for people looking at a circuit, and no use case that runs
        jobs needs it.
        """
        return None
