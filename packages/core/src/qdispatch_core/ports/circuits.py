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
