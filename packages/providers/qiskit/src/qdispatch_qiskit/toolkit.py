"""The core's circuit port on Qiskit."""

from __future__ import annotations

from qdispatch_core.domain import ParsedCircuit
from qdispatch_core.ports import CircuitToolkit
from qdispatch_core.rules.circuits import canonical_source
from qdispatch_core.rules.limits import CircuitLimits
from qdispatch_qiskit.cache import LruCache


class QiskitToolkit(CircuitToolkit):
    """Parses OpenQASM 2 (`qiskit.qasm2`) and 3 (qiskit-qasm3-import) and computes analytics.

    Constructing one imports nothing heavy; Qiskit is imported on the first `inspect`. Facts
    are cached by the hash of the text parsed and the limits it was held to; they are frozen
    values, safe to share.
    """

    def __init__(self, cache_size: int = 512) -> None:
        self._facts: LruCache[ParsedCircuit] = LruCache(maxsize=cache_size)

    def inspect(self, qasm: str, limits: CircuitLimits | None = None) -> ParsedCircuit:
        limits = limits or CircuitLimits()
        text = canonical_source(qasm)
        from qdispatch_qiskit import parsing

        key = (parsing.source_key(text), limits)
        return self._facts.get_or_create(key, lambda: self._inspect(text, limits))

    @staticmethod
    def _inspect(text: str, limits: CircuitLimits) -> ParsedCircuit:
        from qdispatch_qiskit import analytics, native, parsing

        parsed = parsing.parse_qasm_checked(text, limits)
        with native.refusing_panics("computing the circuit's analytics"):
            return ParsedCircuit(parsed.version, analytics.circuit_analytics(parsed.circuit))

    def draw(self, qasm: str) -> str | None:
        from qdispatch_qiskit.drawing import text_drawing

        return text_drawing(qasm)
